"""The answer grid's benchmark runs small and prints its figures."""

import json
import sys
from pathlib import Path

import pytest

from tests.processes import run_in_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench


def test_the_answer_grid_benchmark_runs_small():
    done = run_in_group(
        [sys.executable, "bench/answer_grid.py", "--questions", "60"], cwd=ROOT, timeout=280
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    assert figures["open_questions"] == 60 and figures["one_save"]["answers"] == 60
    assert figures["upload_xlsx"]["answers"] == 60
