"""Every benchmark script without a test of its own runs to its end, small, and prints its
figures as JSON. (jobs, sessions and predictions have theirs; dashboard.py and pages.py time
Chromium renders of fixed sizes and are left to `make bench`.)"""

import json
import sys
from pathlib import Path

import pytest

from tests.processes import run_in_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.bench

SMALL_RUNS = {
    "gap_scan": ["--assets", "200", "--repeat", "1"],
    "import": ["--rows", "500", "--repeat", "1"],
    "import rvtools": ["--rows", "200", "--repeat", "1", "--layout", "rvtools"],
    "rvtools_disks": ["--vms", "100", "--repeat", "1"],
    "access": ["--users", "50", "--repeat", "20", "--sign-ins", "2"],
    "scale": ["--sizes", "200", "--sqlite-sizes", "200", "--engagements", "2"],
    "job_scale": ["--sizes", "200"],
    "phase_runs": ["--assets", "300", "--inline-limit", "100"],
    "first_job": ["--idle", "2", "--repeat", "1"],
    "page_runs": ["--runs", "1", "--pages", "overview", "gaps", "--seed-args=--assets 50"],
}


@pytest.mark.parametrize("run", list(SMALL_RUNS))
def test_the_benchmark_runs_small_and_prints_its_figures(run):
    script = f"bench/{run.split()[0]}.py"
    done = run_in_group([sys.executable, script, *SMALL_RUNS[run]], cwd=ROOT, timeout=280)

    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout.strip()
    # One JSON object, or one per line (the last one the summary).
    figures = (
        json.loads(printed) if printed.startswith("{\n") else json.loads(printed.splitlines()[-1])
    )
    assert figures
    if run == "scale":  # the script checks its own counts; every step ran on both databases
        postgresql, sqlite = figures["sizes"]
        assert postgresql["select_all_matching_and_submit_200"]["job_status"] == "completed"
        assert postgresql["overview_2_engagements"]["best_s"] > 0
        assert sqlite["database"] == "sqlite" and sqlite["gap_scan"]["gaps"] > 0
        for size in (postgresql, sqlite):
            assert all("error" not in export for export in size["exports"].values())
    if run == "page_runs":  # each page ran without an error box
        assert all("errors" not in page for page in figures["pages"].values())
