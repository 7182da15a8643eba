"""python -m db upgrade | seed --demo | clients ... | engagements ... | users ... |
import-assets FILE | export FLOW_ID | requests send FLOW_ID | requests remind

One module per group of commands; each registers its parsers and the function that runs them.
"""

import argparse
import logging
import os
import sys
from typing import NoReturn

from cli import errors, inventory, requests, seed, tenants, users
from cli.common import BAD_INPUT

DESCRIPTION = (
    "The operator's command line: schema, demo data, clients, engagements, accounts, assets."
)


class CommandParser(argparse.ArgumentParser):
    """argparse, with bad input ending like every command's: a sentence and exit code 1."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(BAD_INPUT, f"error: {message}\n")


def parser() -> argparse.ArgumentParser:
    """The commands and where their arguments go; their values are checked by the models."""
    parser = CommandParser(prog="python -m db", description=DESCRIPTION)
    commands = parser.add_subparsers(dest="command", required=True)
    for group in (seed, tenants, users, inventory, requests):
        group.register(commands)
    _add_verbose(parser, default=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; any failure ends as one sentence on stderr (cli/errors.py)."""
    verbose = os.environ.get("LOG_LEVEL", "").upper() == "DEBUG"
    try:
        args = parser().parse_args(argv)
        verbose = verbose or args.verbose
        logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)
        return int(args.run(args))
    except SystemExit:
        raise
    except BaseException as error:
        return errors.report(error, verbose=verbose)


def _add_verbose(parser: argparse.ArgumentParser, *, default: bool | str) -> None:
    """`-v` / `--verbose` wherever it is written: before the command or among its arguments."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default,
        help="on failure, print the details too (secrets masked); LOG_LEVEL=DEBUG does the same",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for command in action.choices.values():
                # SUPPRESS: a command's own default does not undo a -v given before it.
                _add_verbose(command, default=argparse.SUPPRESS)
