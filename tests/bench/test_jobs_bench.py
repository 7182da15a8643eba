"""The jobs benchmark leaves no consumer (nor its worker processes) behind, however it ends."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.processes import processes_with_environment, start_group, stop_group

# Each test runs the benchmark script itself, small: `make bench-smoke` (pytest -m bench).
pytestmark = pytest.mark.bench

ROOT = Path(__file__).resolve().parents[2]
PG_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")
MARKER = "BENCH_TEST_MARKER"  # inherited by everything the benchmark starts
# Small, and with process workers: the consumer's children are what used to be left behind.
SMALL_RUN = ["--submissions", "3", "--jobs", "2", "--worker-type", "process"]


def start_bench(marker: str) -> subprocess.Popen:
    return start_group(
        [sys.executable, "bench/jobs.py", *SMALL_RUN],
        cwd=ROOT,
        env={**os.environ, MARKER: marker},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def consumers(marker: str) -> list[int]:
    return [
        pid
        for pid in processes_with_environment(MARKER, marker)
        if b"huey_consumer" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def bench_databases(bench: subprocess.Popen) -> list[str]:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        rows = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"bench_jobs_{bench.pid}_%",)
        )
        return [name for (name,) in rows]


def left_behind(bench: subprocess.Popen, marker: str) -> list[int]:
    """What the benchmark left running once it ended (killed here, so a failure leaks nothing)."""
    try:
        bench.wait(timeout=300)
        return processes_with_environment(MARKER, marker)
    finally:
        stop_group(bench)
        for pid in processes_with_environment(MARKER, marker):
            os.kill(pid, signal.SIGKILL)


def test_a_finished_run_stops_its_consumers_and_their_workers():
    marker = uuid.uuid4().hex
    bench = start_bench(marker)

    assert left_behind(bench, marker) == []
    assert bench.returncode == 0, bench.stderr.read()[-2000:]
    assert json.loads(bench.stdout.read())["benchmark"] == "jobs"
    assert bench_databases(bench) == []


def test_a_run_stopped_by_sigterm_stops_its_consumers_and_drops_its_database():
    marker = uuid.uuid4().hex
    bench = start_bench(marker)
    deadline = time.monotonic() + 300
    while len(consumers(marker)) < 3:  # the consumer and its two worker processes
        assert bench.poll() is None and time.monotonic() < deadline, "no consumer started"
        time.sleep(0.1)

    bench.send_signal(signal.SIGTERM)  # to the benchmark alone, as `kill PID` does

    assert left_behind(bench, marker) == []
    assert bench_databases(bench) == []
