"""What every command shares: its arguments parsed by an input model, errors as a sentence."""

import argparse
import sys
from typing import TypeVar

from core.kernel.edge import InputModel, parse_input
from core.kernel.errors import CollectionError

M = TypeVar("M", bound=InputModel)
# The exit code of every command refused for its input (an unknown client, a bad role, a weak
# password, a missing argument), so scripts test one number.
BAD_INPUT = 1


def parsed(model: type[M], args: argparse.Namespace) -> M:
    """The command's arguments as `model`; an option left out takes the model's default."""
    given = vars(args).items()
    return parse_input(model, {k: v for k, v in given if k in model.model_fields and v is not None})


def refused(error: CollectionError, code: int = BAD_INPUT) -> int:
    """The error as one sentence on stderr, and the command's exit code."""
    print(f"error: {error.message}", file=sys.stderr)
    return code
