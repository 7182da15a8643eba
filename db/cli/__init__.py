"""python -m db upgrade | seed --demo | clients ... | engagements ... | users ... |
import-assets FILE | export FLOW_ID

One module per group of commands; each registers its parsers and the function that runs them.
"""

import argparse
import logging
import sys
from typing import NoReturn

from core.kernel.errors import BadRequest
from db.cli import inventory, seed, tenants, users
from db.cli.common import BAD_INPUT, refused

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
    for group in (seed, tenants, users, inventory):
        group.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BadRequest as error:
        return refused(error)
