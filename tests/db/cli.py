"""Run `python -m db ...` in a subprocess against a given database, as an operator would."""

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import run_in_group

ROOT = Path(__file__).parents[2]


def run_cli(
    *args: str, database_url: str, stdin: str = "", check: bool = False
) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return run_in_group(
        [sys.executable, "-m", "db", *args],
        cwd=ROOT,
        env=env,
        stdin=stdin,
        timeout=300,
        check=check,
    )
