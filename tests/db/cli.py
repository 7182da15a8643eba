"""Run `python -m db ...` against a given database, as an operator would.

By default in this process (the same `main` the module runs, with its own settings, engine,
standard streams and exit code): a second Python that imports everything again costs a second
or more per command. `real_process=True` runs the command as a subprocess, for the few tests
that pin down the command as the shell sees it.
"""

import contextlib
import io
import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

from cli import main
from config.settings import get_settings
from db.session import get_engine
from tests.processes import run_in_group

ROOT = Path(__file__).parents[2]


def run_cli(
    *args: str,
    database_url: str,
    stdin: str = "",
    check: bool = False,
    env: dict[str, str] | None = None,
    real_process: bool = False,
) -> subprocess.CompletedProcess:
    """`env` adds to (or, with a value of "", takes out of) the test run's environment."""
    if real_process:
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        return run_in_group(
            [sys.executable, "-m", "db", *args],
            cwd=ROOT,
            env={name: value for name, value in environment.items() if value != ""},
            stdin=stdin,
            timeout=300,
            check=check,
        )
    # Text streams over bytes, as a process has: an export writes its bytes to stdout's buffer.
    out, err = _stream(), _stream()
    with (
        command_environment(DATABASE_URL=database_url, **(env or {})),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _standard_input(stdin),
    ):
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's refusals and --help
            code = exit_.code if isinstance(exit_.code, int) else (1 if exit_.code else 0)
        except Exception:  # what a process would print before exiting with 1
            traceback.print_exc()
            code = 1
    done = subprocess.CompletedProcess(["python", "-m", "db", *args], code, _text(out), _text(err))
    if check:
        done.check_returncode()
    return done


def _stream() -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    return stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]


@contextlib.contextmanager
def command_environment(**values: str) -> Iterator[None]:
    """The environment a command starts with (a value of "" takes the variable out), and
    settings and an engine read from it afresh; the caller's come back afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value == "":
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _forget_settings()
    try:
        yield
    finally:
        _forget_settings()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _forget_settings() -> None:
    if get_engine.cache_info().currsize:
        get_engine(None).dispose()  # the one sessions open on (made here if only another was)
    get_engine.cache_clear()
    get_settings.cache_clear()


@contextlib.contextmanager
def _standard_input(text: str) -> Iterator[None]:
    """What a pipe hands the command (not a terminal: passwords are read from its first line)."""
    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved
