"""What every command shares: its arguments parsed by an input model, errors as a sentence."""

import argparse
import sys
from collections.abc import Callable
from typing import TypeVar

from cli.errors import BAD_INPUT
from core.kernel.edge import InputModel, parse_input
from core.kernel.errors import CollectionError
from core.storage.account_unit_of_work import AccountUnitOfWork, account_uow

M = TypeVar("M", bound=InputModel)
R = TypeVar("R")


def parsed(model: type[M], args: argparse.Namespace) -> M:
    """The command's arguments as `model`; an option left out takes the model's default."""
    given = vars(args).items()
    return parse_input(model, {k: v for k, v in given if k in model.model_fields and v is not None})


def refused(error: CollectionError, code: int = BAD_INPUT) -> int:
    """The error as one sentence on stderr, and the command's exit code."""
    print(f"error: {error.message}", file=sys.stderr)
    return code


def run_on_accounts(
    model: type[M],
    args: argparse.Namespace,
    use_case: Callable[[AccountUnitOfWork, M], R],
    report: Callable[[R], None],
) -> int:
    """Parse `args` as `model`, run `use_case` in one account unit of work, then `report` what
    it returned; a refusal at any step is one sentence and the bad-input exit code."""
    try:
        arguments = parsed(model, args)
        with account_uow() as uow:
            result = use_case(uow, arguments)
    except CollectionError as error:
        return refused(error)
    report(result)
    return 0
