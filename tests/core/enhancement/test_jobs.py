"""Gap-job use cases: validation, tenancy, 409 before 429, progress, retry, reset.

The queue is replaced by a dispatcher that records what would be enqueued, or runs the
worker's body right away; tests/jobs/ runs the same paths through a real huey_consumer.
"""

import time
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from core.enhancement import jobs as gap_jobs
from core.enhancement.job_state import JobState, JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.worker import run_gap_enhancement_job
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_runs import run_phase
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited
from core.storage.unit_of_work import engagement_uow
from db.models import AuditEvent, CollectionDataGap, Engagement, Membership
from db.session import bind_tenant, get_engine
from db.types import utcnow
from jobs.tasks import run_flow_phase

pytestmark = pytest.mark.both_backends


def run_recorded(db, job: dict) -> JobState | None:
    """What a worker does with an enqueued job, in this process."""
    store = job_store_for(db.get_bind())
    return run_gap_enhancement_job(lambda: type(db)(bind=db.get_bind()), store, **job)


def in_uow(db, ctx: RequestContext, use_case, *args, **kwargs):
    """A use case run as the dashboard runs it: in a unit of work of `ctx`."""
    with engagement_uow(ctx, db) as uow:
        return use_case(uow, *args, **kwargs)


@pytest.fixture
def flow_in_gap_analysis(db, tenant, make_assets):
    assets = make_assets(tenant, 3, business_owner=None, environment="TBD")
    make_assets(tenant, 4)  # complete peers: evidence for predictions
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Jobs")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    gaps = [
        {
            "field_name": "business_owner",
            "gap_type": "missing",
            "asset_id": str(a.id),
            "asset_name": a.name,
        }
        for a in assets
    ]
    return flow_id, gaps


def test_the_seed_flow_accepted_progress_upserts_and_phase(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    answer = gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    assert answer["status"] == "accepted"
    assert gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)["status"] == "queued"

    final = run_recorded(db, dispatcher.jobs[0])

    assert final.status is JobStatus.COMPLETED
    progress = gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)
    assert (progress["processed"], progress["total"], progress["percentage"]) == (3, 3, 100.0)
    assert progress["stalled"] is False and progress["errors"] == []
    rows = db.scalars(select(CollectionDataGap)).all()
    assert len(rows) == 3
    assert {row.predicted_value for row in rows} == {"Dana Ortiz"}
    assert all(row.source_agent == "gap_analysis_specialist" for row in rows)
    assert all(0 < row.confidence_score <= 1 for row in rows)
    db.expire_all()
    child = CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id)
    assert child.current_phase == "questionnaire_generation"


def test_201_gaps_is_a_400(db, tenant, dispatcher, flow_in_gap_analysis):
    flow_id, gaps = flow_in_gap_analysis
    with pytest.raises(BadRequest) as raised:
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, [gaps[0]] * 201)
    assert "Max 200" in raised.value.message
    assert dispatcher.jobs == []


@pytest.mark.parametrize(
    ("gap", "field", "message"),
    [
        (
            {"gap_type": "missing", "asset_id": str(uuid.uuid4())},
            "selected_gaps.1.field_name",
            "Selected gaps (item 2): field name is missing",
        ),
        (
            {"field_name": "colour", "gap_type": "missing", "asset_id": str(uuid.uuid4())},
            "selected_gaps.1.field_name",
            "Selected gaps (item 2): field name 'colour' is not a critical attribute",
        ),
        (
            {"field_name": "business_owner", "asset_id": str(uuid.uuid4())},
            "selected_gaps.1.gap_type",
            "Selected gaps (item 2): gap type is missing",
        ),
        (
            {"field_name": "business_owner", "gap_type": "absent", "asset_id": str(uuid.uuid4())},
            "selected_gaps.1.gap_type",
            "Selected gaps (item 2): gap type must be one of 'missing' or 'invalid'",
        ),
        (
            {"field_name": "business_owner", "gap_type": "missing", "asset_id": "123"},
            "selected_gaps.1.asset_id",
            "Selected gaps (item 2): asset id must be a UUID",
        ),
        (
            {"field_name": "business_owner", "gap_type": "missing", "asset_id": str(uuid.uuid4())},
            "selected_gaps.1.asset_id",
            "Selected gaps (item 2): asset id is not an asset of this engagement",
        ),
        (
            "business_owner",
            "selected_gaps.1",
            "Selected gaps (item 2) must be a gap: a field name, a gap type and an asset id",
        ),
    ],
)
def test_a_bad_gap_is_a_400_saying_which_and_why(
    db, tenant, dispatcher, flow_in_gap_analysis, gap, field, message
):
    flow_id, gaps = flow_in_gap_analysis
    with pytest.raises(BadRequest) as raised:
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, [gaps[0], gap])
    assert (raised.value.field, raised.value.message) == (field, message)
    assert gap_jobs.get_gap_analysis_progress(db, tenant, flow_id) == {"status": "not_started"}


@pytest.mark.parametrize(
    ("selected_gaps", "message"),
    [
        ([], "Selected gaps must hold at least one gap"),
        ("business_owner", "Selected gaps must be a list of gaps"),
        ({"field_name": "business_owner"}, "Selected gaps must be a list of gaps"),
    ],
)
def test_a_selection_that_is_no_list_of_gaps_is_a_400(
    db, tenant, dispatcher, flow_in_gap_analysis, selected_gaps, message
):
    flow_id, _ = flow_in_gap_analysis
    with pytest.raises(BadRequest) as raised:
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, selected_gaps)
    assert (raised.value.field, raised.value.message) == ("selected_gaps", message)


def test_duplicates_are_submitted_once_and_display_columns_ignored(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    shown = [{**gap, "priority": 1, "gap_category": "business"} for gap in gaps]
    answer = gap_jobs.submit_gap_analysis(db, tenant, flow_id, shown + shown[:2])
    assert answer["message"] == "Gap analysis enqueued (3 gaps)"
    assert dispatcher.jobs[0]["selected_gaps"] == gaps


def test_an_empty_selection_is_a_400(db, tenant, dispatcher, flow_in_gap_analysis):
    flow_id, _ = flow_in_gap_analysis
    with pytest.raises(BadRequest):
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, [])


def test_another_tenants_flow_is_a_404(db, make_tenant, dispatcher, flow_in_gap_analysis):
    flow_id, gaps = flow_in_gap_analysis
    stranger = make_tenant()
    for call in (
        lambda: gap_jobs.submit_gap_analysis(db, stranger, flow_id, gaps),
        lambda: gap_jobs.get_gap_analysis_progress(db, stranger, flow_id),
        lambda: in_uow(db, stranger, gap_jobs.retry_gap_analysis, flow_id),
    ):
        with pytest.raises(NotFound):
            call()


def test_a_second_submission_while_queued_is_a_409_not_a_429(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    with pytest.raises(Conflict):
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    assert len(dispatcher.jobs) == 1


def test_a_submission_right_after_a_finished_job_is_a_429_with_the_wait(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    run_recorded(db, dispatcher.jobs[0])
    with pytest.raises(RateLimited) as raised:
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    assert 0 < raised.value.retry_after_seconds <= 10


def test_a_rerun_of_the_same_selection_leaves_no_duplicates(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    run_recorded(db, dispatcher.jobs[0])
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    in_uow(db, admin, gap_jobs.reset_gap_job, flow_id)
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    run_recorded(db, dispatcher.jobs[1])
    assert db.scalar(select(func.count()).select_from(CollectionDataGap)) == 3


def test_a_stalled_job_can_be_retried_and_skips_what_is_done(
    db, tenant, dispatcher, flow_in_gap_analysis, app_settings
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    store = job_store_for(db.get_bind())
    collection_flow_id = str(
        CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id
    )
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    state = store.get(collection_flow_id)
    # The worker finished one gap, then died: its heartbeat is now older than the stall limit.
    stale = replace(state, status=JobStatus.RUNNING, processed=1, heartbeat_at=time.time() - 60)
    assert store.update_if_current(
        collection_flow_id, stale, ["status", "processed", "heartbeat_at"]
    )
    assert gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)["stalled"] is True
    store.delete(collection_flow_id, job_id="keep-the-job-drop-the-rate-limit")

    answer = in_uow(db, tenant, gap_jobs.retry_gap_analysis, flow_id)

    assert answer["status"] == "accepted"
    retried = dispatcher.jobs[-1]
    assert [gap["asset_id"] for gap in retried["selected_gaps"]] == [
        g["asset_id"] for g in gaps[1:]
    ]


def test_a_running_healthy_job_cannot_be_retried(db, tenant, dispatcher, flow_in_gap_analysis):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    with pytest.raises(Conflict):
        in_uow(db, tenant, gap_jobs.retry_gap_analysis, flow_id)


def test_a_gap_that_fails_is_recorded_and_the_job_goes_on(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    # cpu_cores does not apply to an application: the agent refuses that one gap.
    app = {
        "field_name": "cpu_cores",
        "gap_type": "missing",
        "asset_id": gaps[0]["asset_id"],
        "asset_name": "srv",
    }
    gap_jobs.submit_gap_analysis(
        db, tenant, flow_id, [gaps[0], {**app, "field_name": "database_engine"}, gaps[1]]
    )
    final = run_recorded(db, dispatcher.jobs[0])
    assert final.status is JobStatus.COMPLETED
    assert final.failed_indexes == (1,)
    assert final.errors == ("srv / database_engine: Database engine does not apply to a server",)
    assert db.scalar(select(func.count()).select_from(CollectionDataGap)) == 2


def test_a_manager_may_not_submit(db, tenant, dispatcher, flow_in_gap_analysis):
    flow_id, gaps = flow_in_gap_analysis
    manager = RequestContext(tenant.client_account_id, tenant.engagement_id, role="manager")
    with pytest.raises(Forbidden):
        gap_jobs.submit_gap_analysis(db, manager, flow_id, gaps)
    assert gap_jobs.get_gap_analysis_progress(db, manager, flow_id) == {"status": "not_started"}


def test_job_states_of_the_engagement(db, tenant, dispatcher, flow_in_gap_analysis):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    states = in_uow(db, tenant, gap_jobs.list_job_states)
    assert [(s.flow_id, s.flow_name, s.progress.status, s.progress.total) for s in states] == [
        (flow_id, "Jobs", JobStatus.QUEUED, 3)
    ]


def test_an_asset_name_with_nul_is_accepted_by_the_sql_job_store(
    db, tenant, dispatcher, app_settings, flow_in_gap_analysis
):
    app_settings(REDIS_URL="")  # the job_keys table (JSONB on PostgreSQL), not Redis
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, [{**gaps[0], "asset_name": "web\x0001"}])
    assert dispatcher.jobs[0]["selected_gaps"][0]["asset_name"] == "web01"
    assert gap_jobs.get_gap_analysis_progress(db, tenant, flow_id)["status"] == "queued"


def remove_memberships(db, ctx: RequestContext) -> None:
    db.execute(delete(Membership).where(Membership.user_id == ctx.user_id))
    db.commit()


def phase_of(db, ctx: RequestContext, flow_id: str) -> str:
    db.expire_all()
    operator = RequestContext(ctx.client_account_id, ctx.engagement_id, role="admin")
    return CollectionChildFlowService(db, operator).get_by_master_flow_id(flow_id).current_phase


def test_a_job_queued_before_its_submitter_lost_access_still_finishes(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    # The submission was checked; what was accepted then finishes, as a request in flight would.
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    remove_memberships(db, tenant)
    assert run_recorded(db, dispatcher.jobs[0]).status is JobStatus.COMPLETED
    assert phase_of(db, tenant, flow_id) == "questionnaire_generation"


def test_a_scan_queued_before_its_submitter_lost_access_still_runs(
    db, uow_of, tenant, dispatcher, make_assets, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    assets = make_assets(tenant, 2, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Big scan")
    ids = [str(asset.id) for asset in assets]
    with uow_of(tenant) as uow:
        CollectionChildFlowService(uow, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": ids}
        )
    with uow_of(tenant) as uow:
        assert run_phase(uow, flow_id, "gap_analysis")["mode"] == "queued"
    remove_memberships(db, tenant)
    db.rollback()  # SQLite: the worker's session needs the write lock
    get_engine.cache_clear()  # the worker opens its session on this test's settings
    try:
        run_flow_phase(**dispatcher.jobs[0])
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    assert phase_of(db, tenant, flow_id) == "questionnaire_generation"


def test_a_job_queued_before_its_engagement_was_archived_writes_nothing(
    db, owner_engine, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    db.rollback()
    with Session(owner_engine) as owner:  # archived by an admin of the client meanwhile
        owner.execute(
            update(Engagement)
            .where(Engagement.id == tenant.engagement_id)
            .values(archived_at=utcnow())
        )
        owner.commit()

    final = run_recorded(db, dispatcher.jobs[0])

    assert final.status is JobStatus.FAILED
    assert final.errors == ("This engagement is archived: it can be read, not changed",)
    assert db.scalars(select(CollectionDataGap)).all() == []
    assert phase_of(db, tenant, flow_id) == "gap_analysis"


def test_the_audit_event_of_a_submission_is_saved_with_its_job(
    db, session_maker, tenant, dispatcher, flow_in_gap_analysis, monkeypatch
):
    flow_id, gaps = flow_in_gap_analysis
    seen_when_queued = []

    def enqueue(**primitives):
        # What another connection sees as the job is handed to the queue.
        with session_maker() as other:
            bind_tenant(other, tenant.client_account_id, tenant.engagement_id)
            seen_when_queued.extend(other.scalars(select(AuditEvent.action)).all())
        dispatcher.jobs.append(primitives)

    monkeypatch.setattr(dispatcher, "enqueue_gap_enhancement", enqueue)
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    assert "gaps_submitted" in seen_when_queued
