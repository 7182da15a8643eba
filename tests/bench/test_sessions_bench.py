"""The sessions benchmark measures its analysts and leaves no process nor database behind."""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.dashboard.live import CHROMIUM
from tests.processes import processes_with_environment, start_group, stop_group

# Each test runs the benchmark script itself, small: `make bench-smoke` (pytest -m bench).
pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")
MARKER = "BENCH_SESSIONS_TEST_MARKER"  # inherited by everything the benchmark starts


def run_bench(*args: str) -> tuple[subprocess.Popen, str, list[int]]:
    """Run the benchmark to its end; what it printed and what it left running."""
    marker = uuid.uuid4().hex
    bench = start_group(
        [sys.executable, "bench/sessions.py", "--gaps", "50", "--window", "4", *args],
        cwd=ROOT,
        env={**os.environ, MARKER: marker},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        output, errors = bench.communicate(timeout=280)
        assert bench.returncode == 0, errors[-3000:]
        return bench, output, processes_with_environment(MARKER, marker)
    finally:
        stop_group(bench)
        for pid in processes_with_environment(MARKER, marker):
            os.kill(pid, signal.SIGKILL)


def scratch_databases(bench: subprocess.Popen) -> list[str]:
    """The scratch databases the benchmark made (named by its pid: other runs may be going)."""
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"collection_procfile_{bench.pid}_%",),
        )
        return [name for (name,) in rows]


def test_protocol_clients_poll_the_progress_and_see_every_progress_write():
    bench, output, left = run_bench("--browsers", "", "--clients", "2")

    result = json.loads(output)
    measured = result["protocol_2"]
    assert measured["analysts"] == 2
    assert measured["refreshes"] >= 2  # each client polled the progress route at its interval
    assert measured["page_runs_asked"] == 0  # the job stayed live: no page run between polls
    assert measured["web_cpu_s"] > 0
    assert measured["progress_write_to_screen"]["shown"] >= 2
    assert measured["web_rss_mb"]["end"] > 0
    assert left == []
    assert scratch_databases(bench) == []


def test_a_team_spread_over_client_processes_is_measured_as_one_and_leaves_none_behind():
    bench, output, left = run_bench("--browsers", "", "--clients", "3", "--client-processes", "2")

    measured = json.loads(output)["protocol_3"]
    assert measured["analysts"] == 3
    assert measured["client_processes"] == 2
    assert measured["refreshes"] >= 3
    # Every session of both processes reported what it saw.
    shown = measured["progress_write_to_screen"]
    assert shown["shown"] + shown["not_shown"] >= 3 and shown["shown"] >= 3
    assert left == []
    assert scratch_databases(bench) == []


@pytest.mark.browser
def test_chromium_analysts_sign_in_and_watch_the_progress():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")

    bench, output, left = run_bench("--browsers", "1", "--clients", "")

    measured = json.loads(output)["chromium_1"]
    assert measured["refreshes"] >= 1
    assert measured["progress_write_to_screen"]["shown"] >= 1
    assert measured["sign_in_to_flows_s"]["p50"] > 0
    # What the analyst waited on, read from the page's own clock, is part of the wall-clock time.
    waited = measured["sign_in_waited_s"]["p50"]
    assert 0 < waited < measured["sign_in_click_to_flows_table_s"]["p50"]
    assert left == []
