"""Long phases as queued phase runs, through a real huey_consumer: PostgreSQL + Redis, and
SQLite + SqliteHuey."""

import threading

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cli.inventory import ExportArguments, export
from config.settings import get_settings
from core.enhancement.phase_run_health import resume_stopped_flow
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_run import PhaseRun, PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import run_phase
from core.flows.state import CollectionFlowStateService
from core.kernel.errors import Conflict
from core.storage.unit_of_work import engagement_uow
from db.models import AuditEvent, Engagement
from db.session import get_engine
from db.types import utcnow
from tests.jobs.conftest import wait_for

pytestmark = pytest.mark.both_backends


@pytest.fixture
def new_flow(db, tenant, make_assets):
    assets = make_assets(tenant, 3, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Long phases")
    return flow_id, [str(asset.id) for asset in assets]


def phase_of(session_maker, ctx, flow_id):
    with session_maker() as db:
        return CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id).current_phase


def run_of(session_maker, ctx, flow_id) -> PhaseRun | None:
    with session_maker() as db:
        flow = CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id)
        return phase_run_store_for(db.get_bind()).get(str(flow.id))


def ended(session_maker, ctx, flow_id) -> PhaseRun | None:
    run = run_of(session_maker, ctx, flow_id)
    return run if run is not None and not run.status.is_active else None


def gaps_of(session_maker, ctx, flow_id) -> int:
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        return len(uow.gaps.for_flow(uow.flow(flow_id).id))


def test_selection_and_scan_run_on_a_worker_and_end_with_their_counts(
    uow_of, session_maker, tenant, new_flow, long_phases, start_consumer
):
    flow_id, ids = new_flow
    with uow_of(tenant) as uow:
        queued = run_phase(
            uow, flow_id, "asset_selection", {"selected_asset_ids": ids}, then="gap_analysis"
        )
    assert queued["mode"] == "queued" and queued["assets"] == 3
    run = run_of(session_maker, tenant, flow_id)
    assert run is not None and run.status is PhaseRunStatus.QUEUED
    assert run.phases == ("asset_selection", "gap_analysis") and run.total == 3

    start_consumer()
    final = wait_for(lambda: ended(session_maker, tenant, flow_id))
    assert final.status is PhaseRunStatus.COMPLETED and final.phase == "gap_analysis"
    assert (final.done, final.total, final.percentage) == (3, 3, 100.0)
    assert phase_of(session_maker, tenant, flow_id) == "questionnaire_generation"
    assert gaps_of(session_maker, tenant, flow_id) == 3


def test_a_failure_reads_as_a_sentence_and_the_phase_can_be_started_again(
    db, uow_of, session_maker, owner_engine, tenant, new_flow, long_phases, start_consumer
):
    flow_id, ids = new_flow
    with uow_of(tenant) as uow:
        CollectionChildFlowService(uow, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": ids}
        )
    with uow_of(tenant) as uow:
        run_phase(uow, flow_id, "gap_analysis")
    db.rollback()
    archived = update(Engagement).where(Engagement.id == tenant.engagement_id)
    with Session(owner_engine) as owner:  # archived by an admin before a worker took the run
        owner.execute(archived.values(archived_at=utcnow()))
        owner.commit()
    start_consumer()
    failed = wait_for(lambda: ended(session_maker, tenant, flow_id))
    assert failed.status is PhaseRunStatus.FAILED
    assert failed.failure == "This engagement is archived: it can be read, not changed."
    assert (
        gaps_of(session_maker, tenant, flow_id) == 0
        and phase_of(session_maker, tenant, flow_id) == "gap_analysis"
    )

    with Session(owner_engine) as owner:  # restored: the same start runs it
        owner.execute(archived.values(archived_at=None))
        owner.commit()
    with uow_of(tenant) as uow:
        assert run_phase(uow, flow_id, "gap_analysis")["mode"] == "queued"
    done = wait_for(
        lambda: (
            (run := ended(session_maker, tenant, flow_id)) and run.run_id != failed.run_id and run
        )
    )
    assert done.status is PhaseRunStatus.COMPLETED and gaps_of(session_maker, tenant, flow_id) == 3


def test_a_resumed_failed_scan_of_a_big_flow_completes_on_the_worker(
    db, uow_of, session_maker, make_member, tenant, new_flow, long_phases, start_consumer
):
    flow_id, ids = new_flow
    with uow_of(tenant) as uow:
        service = CollectionChildFlowService(uow, tenant)
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": ids})
        CollectionFlowStateService(uow, tenant).mark_failed(
            uow.flow(flow_id), "OperationalError: the server went away"
        )
    admin = make_member(tenant, "admin")
    with uow_of(admin) as uow:
        resumed = resume_stopped_flow(uow, flow_id)
    assert (resumed["mode"], resumed["current_phase"]) == ("queued", "gap_analysis")
    assert gaps_of(session_maker, tenant, flow_id) == 0  # nothing ran in the page

    start_consumer()
    final = wait_for(lambda: ended(session_maker, tenant, flow_id))
    assert (final.run_id, final.status, final.submitted_by) == (
        resumed["run_id"],
        PhaseRunStatus.COMPLETED,
        str(admin.user_id),
    )
    assert phase_of(session_maker, tenant, flow_id) == "questionnaire_generation"
    assert gaps_of(session_maker, tenant, flow_id) == 3


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_people_starting_the_scan_at_once_one_runs_the_other_gets_a_409(
    db, uow_of, session_maker, tenant, new_flow, long_phases, start_consumer
):
    flow_id, ids = new_flow
    with uow_of(tenant) as uow:
        CollectionChildFlowService(uow, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": ids}
        )
    db.commit()
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def start() -> None:
        with session_maker() as own, engagement_uow(tenant, own) as uow:
            barrier.wait()
            try:
                outcomes.append(run_phase(uow, flow_id, "gap_analysis")["mode"])
            except Conflict as refused:
                outcomes.append(refused)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [refused] = [outcome for outcome in outcomes if isinstance(outcome, Conflict)]
    assert outcomes.count("queued") == 1 and refused.status == 409
    assert refused.message == "A gap scan of this flow is already queued; wait for it to end"

    start_consumer()
    assert (
        wait_for(lambda: ended(session_maker, tenant, flow_id)).status is PhaseRunStatus.COMPLETED
    )
    assert gaps_of(session_maker, tenant, flow_id) == 3
    with session_maker() as check, engagement_uow(tenant, check) as uow:
        actions = uow.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("phase_run_queued") == 1


def test_a_whole_flows_export_is_queued_by_the_command_line_then_fetched_when_ready(
    db, tenant, new_flow, start_consumer, tmp_path, monkeypatch, capsys, request
):
    flow_id, _ = new_flow
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path / "exports"))
    get_settings.cache_clear()
    out = tmp_path / "gaps.csv"
    tenant_ids = {"client": str(tenant.client_account_id), "engagement": str(tenant.engagement_id)}

    def command(**options):
        fields = {"flow_id": flow_id, "what": "assets", "out": str(out), **tenant_ids}
        return export(ExportArguments(**{**fields, **options}))

    db.rollback()  # SQLite: the command's sessions need the write lock
    get_engine.cache_clear()  # the command opens its sessions on this test's settings
    request.addfinalizer(get_engine.cache_clear)
    request.addfinalizer(lambda: get_engine().dispose())
    assert command(on_worker=True) == 0
    assert "run the same command with --fetch" in capsys.readouterr().out
    assert command(on_worker=True, what="gaps") == 1  # one export of a flow at a time: 409
    assert capsys.readouterr().err == (
        "error: An export of this flow is already being prepared; wait for it to end\n"
    )
    assert not out.exists()
    assert command(fetch=True) == 1  # not ready before a worker took it
    assert capsys.readouterr().err == "error: No export of this flow is ready\n"
    start_consumer()
    wait_for(lambda: command(fetch=True) == 0, every=0.2)
    assert out.read_text("utf-8-sig").startswith('"Name","Asset type"')
