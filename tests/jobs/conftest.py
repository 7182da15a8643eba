"""A real huey_consumer subprocess on this run's database (and Redis, on PostgreSQL)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from config.settings import get_settings
from core.enhancement import jobs as gap_jobs
from core.kernel.dispatch import set_dispatcher
from jobs.huey_app import make_huey
from jobs.tasks import register_tasks
from tests.processes import start_group, stop_group

ROOT = Path(__file__).parents[2]
CONSUMER = Path(sys.executable).parent / "huey_consumer"


# One submission per flow in this many seconds here, not the product's ten: the tests that
# submit a flow again wait as long as the 429 says (the ten seconds: tests/core/enhancement).
RATE_LIMIT_SECONDS = 1


@pytest.fixture
def queue(app_settings, tmp_path, monkeypatch):
    """Settings shared by this process and the consumer: same queue, job keys and database.
    Jobs are claimed in this process, so the rate limit is this process's."""
    for store in ("redis_job_store", "sql_job_store"):
        monkeypatch.setattr(f"core.enhancement.{store}.RATE_LIMIT_SECONDS", RATE_LIMIT_SECONDS)
    app_settings(
        HUEY_SQLITE_PATH=str(tmp_path / "huey.db"),
        JOB_STALL_SECONDS="2",
        # Slow enough to watch a job run and to stop a worker in the middle of one.
        GAP_JOB_PAUSE_SECONDS="0.05",
    )
    settings = get_settings()
    huey = make_huey(settings)
    set_dispatcher(register_tasks(huey))
    yield huey
    set_dispatcher(None)
    huey.flush()


@pytest.fixture
def start_consumer(queue, tmp_path) -> Iterator[Callable[[], subprocess.Popen]]:
    started: list[subprocess.Popen] = []

    def start(workers: int = 2) -> subprocess.Popen:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        log = open(tmp_path / f"consumer-{len(started)}.log", "w")  # noqa: SIM115
        process = start_group(
            [
                str(CONSUMER),
                "jobs.huey_app.huey",
                "--workers",
                str(workers),
                "--worker-type",
                "thread",
                "--delay",
                "0.05",
                "--max-delay",
                "0.2",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            stop_group(process, signal.SIGKILL)


def wait_for(predicate: Callable[[], object], timeout: float = 60, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s")


def progress(session_maker, ctx, flow_id: str) -> dict:
    with session_maker() as db:
        return gap_jobs.get_gap_analysis_progress(db, ctx, flow_id)


def phase_primitives() -> dict:
    """What core hands the queue for a flow phase: strings and None."""
    return {
        "client_account_id": str(uuid.uuid4()),
        "engagement_id": str(uuid.uuid4()),
        "flow_id": str(uuid.uuid4()),
        "phase_name": "gap_analysis",
        "user_id": None,
    }
