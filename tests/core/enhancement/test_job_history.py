"""Every gap job stays in the history: who, when, how much, how fast, how it ended."""

import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from core.enhancement import jobs as gap_jobs
from core.enhancement.job_history import list_jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.flows.child_flow_service import CollectionChildFlowService
from core.kernel.context import RequestContext
from core.kernel.dispatch import set_dispatcher
from core.kernel.errors import NotFound, ServiceUnavailable
from db.models import GapJob, User
from tests.core.enhancement.test_jobs import flow_in_gap_analysis, in_uow, run_recorded

pytestmark = pytest.mark.both_backends

__all__ = ["flow_in_gap_analysis"]  # the fixture, shared with the use cases' tests


def admin_of(ctx: RequestContext) -> RequestContext:
    return RequestContext(ctx.client_account_id, ctx.engagement_id, role="admin")


def forget_rate_limit(db, tenant, flow_id) -> None:
    store = job_store_for(db.get_bind())
    collection_flow_id = str(
        CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id
    )
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    store.delete(collection_flow_id, job_id="keep-the-job-drop-the-rate-limit")


def test_a_finished_job_is_kept_with_who_when_and_how_fast(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    queued = in_uow(db, tenant, list_jobs)
    assert [(job.status, job.processed, job.total) for job in queued] == [("queued", 0, 3)]

    run_recorded(db, dispatcher.jobs[0])
    # The job key is forgotten (reset, or expired): the history still has the job.
    in_uow(db, admin_of(tenant), gap_jobs.reset_gap_job, flow_id)

    [job] = in_uow(db, tenant, list_jobs, flow_id)
    assert (job.status, job.processed, job.total, job.retries, job.failed) == (
        "completed",
        3,
        3,
        0,
        0,
    )
    assert job.submitted_by.startswith("member-")  # the submitter, by name or email
    assert job.flow_id == flow_id and job.flow_name == "Jobs"
    assert job.finished_at is not None and job.finished_at >= job.submitted_at
    assert job.running_seconds > 0 and job.rate_per_second > 0
    assert job.eta_seconds is None  # an ended job has nothing left to wait for


def test_progress_adds_up_across_a_retry(db, tenant, dispatcher, flow_in_gap_analysis, make_member):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    store = job_store_for(db.get_bind())
    collection_flow_id = str(
        CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id
    )
    db.rollback()
    # The worker finished one gap in 2 s, then died: its heartbeat is past the stall limit.
    now = time.time()
    stale = replace(
        store.get(collection_flow_id),
        status=JobStatus.RUNNING,
        processed=1,
        started_at=now - 62,
        heartbeat_at=now - 60,
    )
    assert store.update_if_current(
        collection_flow_id, stale, ["status", "processed", "started_at", "heartbeat_at"]
    )
    [stalled] = in_uow(db, tenant, list_jobs)
    assert (stalled.status, stalled.processed, stalled.total) == ("stalled", 1, 3)
    store.delete(collection_flow_id, job_id="keep-the-job-drop-the-rate-limit")

    admin = make_member(tenant, "admin")
    db.get(User, admin.user_id).display_name = "Ada Admin"
    db.commit()
    in_uow(db, admin, gap_jobs.retry_gap_analysis, flow_id)

    # The panel shows the whole job (1 of 3 done), not the retry's 0 of 2.
    progress = gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)
    assert (progress["processed"], progress["total"], progress["percentage"]) == (1, 3, 33.3)
    run_recorded(db, dispatcher.jobs[-1])
    progress = gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)
    assert (progress["processed"], progress["total"], progress["percentage"]) == (3, 3, 100.0)
    [job] = in_uow(db, tenant, list_jobs)
    assert (job.status, job.processed, job.total, job.retries) == ("completed", 3, 3, 1)
    assert job.running_seconds >= 2  # the dead attempt's two seconds count too
    # Who submitted it, and who retried it.
    assert job.submitted_by.startswith("member-") and job.retried_by == "Ada Admin"
    assert db.scalar(select(func.count()).select_from(GapJob)) == 1


def test_every_job_is_listed_newest_first_not_only_the_last_per_flow(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    for run, selection in enumerate([gaps[:1], gaps[1:2], gaps]):
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, selection)
        run_recorded(db, dispatcher.jobs[run])
        forget_rate_limit(db, tenant, flow_id)
    jobs = in_uow(db, tenant, list_jobs)
    assert [(job.total, job.status) for job in jobs] == [
        (3, "completed"),
        (1, "completed"),
        (1, "completed"),
    ]
    assert sum(job.processed for job in jobs) == 5


def test_a_reset_job_says_so_instead_of_running_forever(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    store = job_store_for(db.get_bind())
    collection_flow_id = str(
        CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id
    )
    db.rollback()
    silent = replace(store.get(collection_flow_id), heartbeat_at=time.time() - 60)
    assert store.update_if_current(collection_flow_id, silent, ["heartbeat_at"])
    in_uow(db, admin_of(tenant), gap_jobs.reset_gap_job, flow_id)
    assert [job.status for job in in_uow(db, tenant, list_jobs)] == ["reset"]


def test_a_job_that_could_not_be_queued_leaves_no_row(db, tenant, flow_in_gap_analysis):
    class Unreachable:
        def enqueue_gap_enhancement(self, **primitives):
            raise ConnectionError("queue down")

    flow_id, gaps = flow_in_gap_analysis
    set_dispatcher(Unreachable())
    try:
        with pytest.raises(ServiceUnavailable):
            gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    finally:
        set_dispatcher(None)
    assert in_uow(db, tenant, list_jobs) == []


def test_another_engagements_jobs_are_not_seen(
    db, tenant, make_tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    other = make_tenant()
    assert in_uow(db, other, list_jobs) == []
    with pytest.raises(NotFound):
        in_uow(db, other, list_jobs, flow_id)
