"""Workers' heartbeats through a real huey_consumer: a worker killed mid-job is offline within
a few beats, its job is flagged and can be retried at once (long before the stall limit)."""

import signal

import pytest

from config.settings import get_settings
from core.enhancement import jobs as gap_jobs
from core.enhancement.worker_health import read_worker_health
from core.storage.unit_of_work import engagement_uow
from tests.jobs.conftest import progress, wait_for
from tests.jobs.test_gap_enhancement_worker import flow_with_gaps, retry, when_allowed
from tests.processes import stop_group

pytestmark = pytest.mark.both_backends
__all__ = ["flow_with_gaps"]


@pytest.fixture
def quick_beats(queue, monkeypatch):
    """Beats every 0.2 s, offline after 1 s; a stall limit no test here waits for."""
    for name, value in {
        "WORKER_HEARTBEAT_SECONDS": "0.2",
        "WORKER_OFFLINE_SECONDS": "1",
        "JOB_STALL_SECONDS": "600",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    return queue


def health(session_maker, ctx):
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        return read_worker_health(uow)


def job(session_maker, ctx, flow_id):
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        return gap_jobs.read_job_progress(uow, flow_id)


def test_a_killed_worker_is_offline_and_its_job_is_flagged_and_retried_at_once(
    db, session_maker, tenant, flow_with_gaps, start_consumer, quick_beats
):
    flow_id, gaps = flow_with_gaps
    assert health(session_maker, tenant).workers == ()
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:40])
    waiting = health(session_maker, tenant)
    assert waiting.queue_depth == 1 and waiting.oldest_waiting is not None

    consumer = start_consumer(workers=1)
    busy = wait_for(
        lambda: next(
            (w for w in health(session_maker, tenant).workers if w.online and w.running), None
        )
    )
    assert busy.running[0].what == "gap job" and busy.running[0].flow_id == flow_id
    assert busy.running[0].flow_name == "Worker e2e"
    wait_for(lambda: progress(session_maker, tenant, flow_id)["processed"] >= 5)

    stop_group(consumer, signal.SIGKILL)
    flagged = wait_for(
        lambda: (p := job(session_maker, tenant, flow_id)) and p.worker_offline and p
    )
    assert flagged.status == "running" and flagged.stalled and flagged.is_retryable
    assert flagged.shown_status == "worker offline" and flagged.processed < 40
    shown = health(session_maker, tenant)
    assert [w.online for w in shown.workers] == [False] and shown.online == 0

    assert when_allowed(lambda: retry(db, tenant, flow_id))["status"] == "accepted"
    start_consumer(workers=1)
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")
    # The second consumer is online; the killed one is still listed, offline.
    wait_for(lambda: health(session_maker, tenant).online == 1)
    assert len(health(session_maker, tenant).workers) == 2
