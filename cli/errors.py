"""How a command that fails ends: one sentence on stderr, no secret in it, and an exit code.

1: the command's input was refused (an unknown client, a bad role, a missing argument).
2: the setup was (a setting, the database or Redis unreachable, a missing privilege), or
something unexpected happened. `--verbose` adds the details (the traceback, with every
password and secret of the configuration masked).
"""

import os
import re
import sys
import traceback
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

from alembic.util import CommandError
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from core.kernel.errors import CollectionError
from db.roles import AppRoleError

# The exit code of every command refused for its input (an unknown client, a bad role, a weak
# password, a missing argument), so scripts test one number; then that of every other failure.
BAD_INPUT = 1
BAD_SETUP = 2
INTERRUPTED = 130  # Ctrl-C, as shells report it

# Settings whose value is, or holds, a secret.
SECRET_SETTINGS = (
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "REDIS_URL",
    "SESSION_SECRET",
    "SMTP_PASSWORD",
)
MASK = "***"
# A password written into SQL (not a placeholder such as '<its password>'), and one inside a
# URL, whoever's they are.
_INLINE_SECRETS = (
    (re.compile(r"(PASSWORD\s+)'(?!<)(?:[^']|'')*'", re.IGNORECASE), rf"\1'{MASK}'"),
    (re.compile(r"(://[^:/@\s]*:)[^@\s]*(@)"), rf"\1{MASK}\2"),
)
INSUFFICIENT_PRIVILEGE = "42501"


def exit_code_and_sentence(error: BaseException) -> tuple[int, str]:
    """What the operator reads of `error`: the exit code and one sentence."""
    if isinstance(error, KeyboardInterrupt):
        return INTERRUPTED, "Interrupted."
    if isinstance(error, CollectionError):
        return BAD_INPUT, error.message
    if isinstance(error, AppRoleError):
        return BAD_SETUP, str(error)
    if isinstance(error, ValidationError):
        return BAD_SETUP, _settings_sentence(error)
    if isinstance(error, OperationalError):
        return BAD_SETUP, f"Cannot use the database: {_driver_reason(error)}."
    if isinstance(error, DBAPIError) and _sqlstate(error) == INSUFFICIENT_PRIVILEGE:
        return BAD_SETUP, (
            f"The database refused a privilege: {_driver_reason(error)}; run python -m db"
            " upgrade as the tables' owner (MIGRATION_DATABASE_URL)."
        )
    if isinstance(error, DBAPIError):
        return BAD_SETUP, f"The database refused the command: {_driver_reason(error)}."
    if isinstance(error, CommandError):
        return BAD_SETUP, f"The migrations could not run: {_first_line(str(error))}."
    if isinstance(error, ArgumentError):
        return BAD_SETUP, f"A database URL is not valid: {_first_line(str(error))}."
    if isinstance(error, RedisConnectionError):
        return BAD_SETUP, f"Cannot reach Redis (REDIS_URL): {_first_line(str(error))}."
    return BAD_SETUP, (
        f"The command failed unexpectedly ({type(error).__name__}); run it again with"
        " --verbose for the details."
    )


def report(error: BaseException, *, verbose: bool = False) -> int:
    """Print `error` as one masked sentence (and its masked traceback when verbose); the code."""
    code, sentence = exit_code_and_sentence(error)
    secrets = configured_secrets()
    if verbose:
        details = "".join(traceback.format_exception(error))
        print(mask(details, secrets), file=sys.stderr, end="")
    print(f"error: {mask(_one_line(sentence), secrets)}", file=sys.stderr)
    return code


def configured_secrets(environ: dict[str, str] | None = None) -> set[str]:
    """Every secret the configuration holds (the environment and `.env`): the passwords of
    the URLs, the session secret, the mail password, also as they appear URL-encoded."""
    sources = [os.environ if environ is None else environ]
    if environ is None:
        sources.append(_dotenv_values())
    found: set[str] = set()
    for source in sources:
        for name in SECRET_SETTINGS:
            value = source.get(name) or ""
            if "://" in value:
                value = _url_password(value)
            if value:
                found |= {value, unquote(value), quote(value, safe="")}
    return {secret for secret in found if secret}


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, every SQL password literal and URL password masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    for pattern, replacement in _INLINE_SECRETS:
        text = pattern.sub(replacement, text)
    return text


def _settings_sentence(error: ValidationError) -> str:
    # The value is left out on purpose: it may be the secret that was refused.
    problems = [
        f"{'.'.join(str(part) for part in problem['loc']).upper() or 'a setting'}: {problem['msg']}"
        for problem in error.errors(include_input=False, include_url=False)
    ]
    return "A setting is not valid (" + "; ".join(problems) + ")."


def _driver_reason(error: DBAPIError) -> str:
    return _first_line(str(error.orig) if error.orig is not None else type(error).__name__)


def _sqlstate(error: DBAPIError) -> str | None:
    return getattr(error.orig, "sqlstate", None)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else "no reason given"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _url_password(url: str) -> str:
    try:
        return urlsplit(url).password or ""
    except ValueError:
        return ""


def _dotenv_values() -> dict[str, str]:
    from dotenv import dotenv_values

    return {key: value for key, value in dotenv_values(".env").items() if value is not None}
