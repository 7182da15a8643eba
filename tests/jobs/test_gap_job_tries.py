"""A gap job killed mid-way and retried by someone else keeps both tries, through a real
huey_consumer: PostgreSQL + Redis, and SQLite + SqliteHuey."""

import signal

import pytest

from config.settings import get_settings
from core.enhancement import jobs as gap_jobs
from core.enhancement.job_history import JobRecord, list_jobs
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from db.models import User
from tests.jobs.conftest import progress, wait_for
from tests.jobs.test_gap_enhancement_worker import flow_with_gaps, retry, when_allowed
from tests.processes import stop_group

pytestmark = pytest.mark.both_backends
__all__ = ["flow_with_gaps"]


def named(db, ctx: RequestContext, name: str) -> RequestContext:
    db.get(User, ctx.user_id).display_name = name
    db.commit()
    return ctx


def history(session_maker, ctx: RequestContext, flow_id: str) -> list[JobRecord]:
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        return list_jobs(uow, flow_id)


def test_a_killed_try_stays_in_the_history_beside_another_persons_retry(
    db, session_maker, tenant, make_member, flow_with_gaps, start_consumer, monkeypatch
):
    # Killed, a worker falls silent: its job stalls (2 s here) long before the worker counts
    # as offline.
    monkeypatch.setenv("WORKER_OFFLINE_SECONDS", "600")
    get_settings.cache_clear()
    flow_id, gaps = flow_with_gaps
    dana = named(db, tenant, "Dana Analyst")
    ada = named(db, make_member(tenant, "admin"), "Ada Admin")
    consumer = start_consumer()
    gap_jobs.submit_gap_analysis(db, dana, flow_id, gaps[:40])
    wait_for(lambda: progress(session_maker, dana, flow_id)["processed"] >= 5)

    stop_group(consumer, signal.SIGKILL)
    wait_for(
        lambda: progress(session_maker, dana, flow_id)["stalled"],
        timeout=get_settings().job_stall_seconds + 10,
    )
    assert when_allowed(lambda: retry(db, ada, flow_id))["status"] == "accepted"
    start_consumer()
    wait_for(lambda: progress(session_maker, dana, flow_id)["status"] == "completed")

    [job] = history(session_maker, dana, flow_id)
    first, second = job.attempts
    assert (first.number, first.started_by, first.status) == (1, "Dana Analyst", "stalled")
    assert 5 <= first.processed < 40 and first.total == 40
    assert first.started_at is not None and first.ended_at is not None
    assert first.worker is not None
    assert (second.number, second.started_by, second.status) == (2, "Ada Admin", "completed")
    assert second.processed == second.total == 40 - first.processed
    assert second.worker is not None and second.worker != first.worker  # another process
    assert (job.status, job.processed, job.total, job.retries) == ("completed", 40, 40, 1)
    assert (job.submitted_by, job.retried_by) == ("Dana Analyst", "Ada Admin")
