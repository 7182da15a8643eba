"""Run `python -m db ...` in a subprocess against a given database, as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import run_in_group

ROOT = Path(__file__).parents[2]


def run_cli(
    *args: str,
    database_url: str,
    stdin: str = "",
    check: bool = False,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """`env` adds to (or, with a value of "", takes out of) the test run's environment."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    env = {name: value for name, value in env.items() if value != ""}
    return run_in_group(
        [sys.executable, "-m", "db", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        timeout=300,
        check=check,
    )
