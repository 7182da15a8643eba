"""Every try of a gap job is kept: the failed and stalled ones with their own outcome, figures,
errors, times and worker, each naming who started it (the submitter, then each retrier)."""

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from core.enhancement import jobs as gap_jobs
from core.enhancement.job_history import list_jobs, record_attempt_ended
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.worker_beats import WorkerBeat, this_worker_id, worker_registry_for
from core.kernel.context import RequestContext
from core.kernel.dispatch import set_dispatcher
from core.kernel.errors import ServiceUnavailable
from core.storage.gap_jobs import GapJobRepository
from core.storage.unit_of_work import engagement_uow
from db.models import GapJob, User
from tests.core.enhancement.test_incidents import job_key_of
from tests.core.enhancement.test_jobs import flow_in_gap_analysis, in_uow, run_recorded

pytestmark = pytest.mark.both_backends
__all__ = ["flow_in_gap_analysis"]


def named(db, ctx: RequestContext, name: str) -> RequestContext:
    db.get(User, ctx.user_id).display_name = name
    db.commit()
    return ctx


def moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def leave_job(db, key: str, **changes):
    """The job key as a worker left it (killed, failed, ...), and the rate limit forgotten."""
    store = job_store_for(db.get_bind())
    left = replace(store.get(key), **changes)
    assert store.update_if_current(key, left, list(changes))
    store.delete(key, job_id="keep-the-job-drop-the-rate-limit")
    return left


@pytest.fixture
def dana_submitted(db, tenant, dispatcher, flow_in_gap_analysis, make_member):
    """Dana submitted the flow's three gaps; Ada is an admin of the engagement."""
    flow_id, gaps = flow_in_gap_analysis
    named(db, tenant, "Dana Analyst")
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    ada = named(db, make_member(tenant, "admin"), "Ada Admin")
    return flow_id, job_key_of(db, tenant, flow_id), ada


def test_a_stalled_try_and_the_retry_after_it_are_two_tries_naming_both_people(
    db, tenant, dispatcher, dana_submitted
):
    flow_id, key, ada = dana_submitted
    now = time.time()
    # Dana's try: its worker (still reporting) did one gap, which failed, in two seconds; then
    # the try went silent.
    worker_registry_for(db.get_bind()).beat(WorkerBeat("host-a:101", now - 120, now))
    stalled = leave_job(
        db,
        key,
        status=JobStatus.RUNNING,
        processed=1,
        failed_indexes=(0,),
        errors=("srv-1 / business_owner: the agent timed out",),
        started_at=now - 62,
        heartbeat_at=now - 60,
        worker="host-a:101",
    )
    in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)
    run_recorded(db, dispatcher.jobs[-1])

    [job] = in_uow(db, tenant, list_jobs)
    first, second = job.attempts
    assert (first.number, first.started_by, first.status) == (1, "Dana Analyst", "stalled")
    assert (first.processed, first.total, first.failed) == (1, 3, 1)
    assert first.errors == ("srv-1 / business_owner: the agent timed out",)
    assert first.worker == "host-a:101"
    assert (first.started_at, first.ended_at) == (
        moment(stalled.started_at),
        moment(stalled.heartbeat_at),
    )
    assert first.running_seconds == pytest.approx(2, abs=0.01)
    # Ada's try took the gaps left (the failed one again, then the two never reached).
    assert (second.number, second.started_by, second.status) == (2, "Ada Admin", "completed")
    assert (second.processed, second.total, second.failed, second.errors) == (3, 3, 0, ())
    assert second.worker == this_worker_id()
    assert second.queued_at >= first.ended_at and second.ended_at >= second.started_at
    # The job sums them up: one row, both people.
    assert (job.status, job.processed, job.total, job.retries) == ("completed", 3, 3, 1)
    assert (job.submitted_by, job.retried_by) == ("Dana Analyst", "Ada Admin")

    # The job key is forgotten (reset, or expired): every try is still there.
    in_uow(db, ada, gap_jobs.reset_gap_job, flow_id)
    [kept] = in_uow(db, tenant, list_jobs)
    assert kept.attempts == job.attempts


def test_a_failed_try_keeps_its_error_when_the_submitter_retries(
    db, tenant, dispatcher, dana_submitted
):
    flow_id, key, _ = dana_submitted
    now = time.time()
    failed = leave_job(
        db,
        key,
        status=JobStatus.FAILED,
        processed=2,
        errors=("The database is unreachable: OperationalError",),
        started_at=now - 5,
        heartbeat_at=now - 4,
        worker="host-b:202",
    )
    with engagement_uow(tenant, db) as uow:  # the worker's last word, as it writes it
        record_attempt_ended(uow, uow.flow(flow_id).id, failed)
    in_uow(db, tenant, gap_jobs.retry_gap_analysis, flow_id)

    [job] = in_uow(db, tenant, list_jobs)
    first, second = job.attempts
    assert (first.status, first.processed, first.total, first.worker) == (
        "failed",
        2,
        3,
        "host-b:202",
    )
    assert first.errors == ("The database is unreachable: OperationalError",)
    assert first.ended_at is not None
    assert (second.number, second.started_by, second.status) == (2, "Dana Analyst", "queued")
    assert (second.processed, second.total, second.started_at, second.ended_at) == (
        0,
        1,
        None,
        None,
    )


def test_a_try_whose_worker_went_offline_says_so(db, tenant, dispatcher, dana_submitted):
    flow_id, key, ada = dana_submitted
    now = time.time()
    worker_registry_for(db.get_bind()).beat(WorkerBeat("gone-host:1", now - 120, now - 60))
    leave_job(
        db,
        key,
        status=JobStatus.RUNNING,
        started_at=now - 30,
        heartbeat_at=now,
        worker="gone-host:1",
    )
    in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)

    first, second = in_uow(db, tenant, list_jobs)[0].attempts
    assert (first.status, first.worker) == ("worker offline", "gone-host:1")
    assert (second.started_by, second.status) == ("Ada Admin", "queued")


def test_a_retry_that_could_not_be_queued_adds_no_try(db, tenant, dispatcher, dana_submitted):
    flow_id, key, ada = dana_submitted
    leave_job(db, key, status=JobStatus.RUNNING, heartbeat_at=time.time() - 60)

    class Unreachable:
        def enqueue_gap_enhancement(self, **primitives):
            raise ConnectionError("queue down")

    set_dispatcher(Unreachable())
    try:
        with pytest.raises(ServiceUnavailable):
            in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)
    finally:
        set_dispatcher(dispatcher)
    [job] = in_uow(db, tenant, list_jobs)
    [only] = job.attempts
    assert (only.number, only.started_by, only.status) == (1, "Dana Analyst", "stalled")
    assert job.retried_by is None


@pytest.mark.parametrize(
    ("left", "shown"),
    [
        (
            {"status": JobStatus.RUNNING, "processed": 1, "heartbeat_at": time.time() - 60},
            "stalled",
        ),
        ({"status": JobStatus.FAILED, "processed": 1, "failed_indexes": (0,)}, "failed"),
    ],
    ids=["stalled", "failed"],
)
def test_a_retry_that_could_not_be_queued_leaves_the_job_as_it_was_and_retryable(
    db, tenant, dispatcher, dana_submitted, left, shown
):
    flow_id, key, ada = dana_submitted
    state = leave_job(db, key, **left)
    if not state.status.is_active:
        with engagement_uow(tenant, db) as uow:  # the worker's last word on a failed try
            record_attempt_ended(uow, uow.flow(flow_id).id, state)
    [before] = in_uow(db, tenant, list_jobs)

    class Unreachable:
        def enqueue_gap_enhancement(self, **primitives):
            raise ConnectionError("queue down")

    set_dispatcher(Unreachable())
    try:
        with pytest.raises(ServiceUnavailable):
            in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)
    finally:
        set_dispatcher(dispatcher)
    [job] = in_uow(db, tenant, list_jobs)
    assert (job.status, job.processed, job.retries, job.retried_by) == (shown, 1, 0, None)
    assert [(one.number, one.status) for one in job.attempts] == [(1, shown)]
    assert (job.finished_at is None) == (before.finished_at is None) == (shown == "stalled")

    in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)  # retryable again, at once
    run_recorded(db, dispatcher.jobs[-1])
    [job] = in_uow(db, tenant, list_jobs)
    assert (job.status, job.retries, job.retried_by) == ("completed", 1, "Ada Admin")
    assert [(one.number, one.status) for one in job.attempts] == [(1, shown), (2, "completed")]


def test_a_reset_job_ends_its_open_try_reset(db, tenant, dispatcher, dana_submitted):
    flow_id, key, ada = dana_submitted
    leave_job(db, key, status=JobStatus.RUNNING, processed=1, heartbeat_at=time.time() - 60)
    in_uow(db, ada, gap_jobs.reset_gap_job, flow_id)
    [only] = in_uow(db, tenant, list_jobs)[0].attempts
    assert (only.status, only.processed) == ("reset", 1)
    assert only.ended_at is not None


def test_a_late_word_from_a_taken_over_try_changes_neither_it_nor_the_job(
    db, tenant, dispatcher, dana_submitted
):
    flow_id, key, ada = dana_submitted
    stalled = leave_job(db, key, status=JobStatus.RUNNING, heartbeat_at=time.time() - 60)
    in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)
    # The first worker comes back and records a failure of its (superseded) try.
    late = replace(stalled, status=JobStatus.FAILED, errors=("lost the database",))
    with engagement_uow(tenant, db) as uow:
        record_attempt_ended(uow, uow.flow(flow_id).id, late)

    [job] = in_uow(db, tenant, list_jobs)
    assert [(one.number, one.status) for one in job.attempts] == [(1, "stalled"), (2, "queued")]
    assert (job.status, job.retries, job.errors) == ("queued", 1, ())


def test_another_engagements_tries_are_not_seen(
    db, tenant, dispatcher, dana_submitted, make_tenant
):
    flow_id, key, ada = dana_submitted
    leave_job(db, key, status=JobStatus.FAILED)
    in_uow(db, ada, gap_jobs.retry_gap_analysis, flow_id)
    with engagement_uow(tenant, db) as uow:
        job_id = uow.session.scalar(select(GapJob.id))
    other = make_tenant()
    with engagement_uow(other, db) as uow:
        repository = GapJobRepository(uow.session, other.client_account_id, other.engagement_id)
        assert repository.attempts_of([job_id]) == {}
        assert repository.attempt(job_id, 1) is None
