"""A real huey_consumer killed in the middle of a queued phase run (PostgreSQL + Redis): the
run names its worker, so it reads "worker offline" at once (long before JOB_STALL_SECONDS), is
Admin's incident to run again, and is taken over by the next start or by an admin's Run again,
which a new consumer runs to its end."""

import signal
import uuid

import pytest
from sqlalchemy import select

from core.enhancement.incidents import Remedy, Trouble, list_incidents
from core.enhancement.phase_progress import watch_phase_run
from core.enhancement.phase_run_again import run_phase_again
from core.enhancement.phase_run_health import start_phase
from core.flows.phase_run import PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import run_phase
from core.storage.unit_of_work import engagement_uow
from db.models import AuditEvent, CollectionFlow
from db.session import get_engine
from tests.jobs.conftest import wait_for
from tests.jobs.test_phase_runs import ended, new_flow, phase_of, run_of
from tests.jobs.test_worker_heartbeats import quick_beats
from tests.processes import stop_group

pytestmark = pytest.mark.postgres_only
__all__ = ["new_flow", "quick_beats"]


def shown(session_maker, ctx, flow_id):
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        read, _ = watch_phase_run(uow, flow_id)
    return read()


def killed_mid_run(uow_of, session_maker, tenant, flow_id, selection, start_consumer) -> str:
    """Selection then scan queued, its consumer killed while it runs: the run's id, once it
    reads "worker offline" as Admin's incident to run again."""
    with uow_of(tenant) as uow:
        first = run_phase(uow, flow_id, "asset_selection", selection, then="gap_analysis")
    # The flow's row lock, held here, keeps the worker inside its run until it is killed.
    with get_engine().connect() as holder:
        holder.execute(
            select(CollectionFlow.id)
            .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
            .with_for_update()
        )
        consumer = start_consumer(workers=1)
        running = wait_for(
            lambda: (run := run_of(session_maker, tenant, flow_id)) and run.worker and run
        )
        assert running.status is PhaseRunStatus.RUNNING and running.run_id == first["run_id"]
        stop_group(consumer, signal.SIGKILL)
        offline = wait_for(
            lambda: (p := shown(session_maker, tenant, flow_id)) and p.worker_offline and p
        )
        assert offline.shown_status == "worker offline" and not offline.is_live
        with uow_of(tenant) as uow:
            [incident] = list_incidents(uow)
        assert (incident.trouble, incident.remedy) == (Trouble.WORKER_OFFLINE, Remedy.RUN_AGAIN)
        holder.rollback()
    return first["run_id"]


def test_a_scan_whose_worker_is_killed_reads_worker_offline_at_once_and_starts_again(
    uow_of, session_maker, tenant, new_flow, long_phases, quick_beats, start_consumer
):
    flow_id, ids = new_flow
    selection = {"selected_asset_ids": ids}
    first = killed_mid_run(uow_of, session_maker, tenant, flow_id, selection, start_consumer)

    # JOB_STALL_SECONDS is 600: only the worker's absence lets the start take the key over.
    with uow_of(tenant) as uow:
        again = start_phase(uow, flow_id, "asset_selection", selection, then="gap_analysis")
    assert again["mode"] == "queued" and again["run_id"] != first
    start_consumer(workers=1)
    final = wait_for(lambda: ended(session_maker, tenant, flow_id))
    assert final.status is PhaseRunStatus.COMPLETED and final.run_id == again["run_id"]
    assert phase_of(session_maker, tenant, flow_id) == "questionnaire_generation"


def test_an_admin_runs_a_killed_selection_again_with_its_assets_and_it_completes(
    uow_of, session_maker, tenant, make_member, new_flow, long_phases, quick_beats, start_consumer
):
    flow_id, ids = new_flow
    first = killed_mid_run(
        uow_of, session_maker, tenant, flow_id, {"selected_asset_ids": ids}, start_consumer
    )
    admin = make_member(tenant, "admin")
    # Nobody selects the assets again: the run kept them.
    with uow_of(admin) as uow:
        again = run_phase_again(uow, flow_id)
    assert (again["phase"], again["assets"]) == ("asset_selection", 3)
    with uow_of(admin) as uow:
        assert list_incidents(uow) == []  # queued: live
    start_consumer(workers=1)
    final = wait_for(lambda: ended(session_maker, tenant, flow_id))
    assert final.status is PhaseRunStatus.COMPLETED and final.run_id == again["run_id"]
    assert final.submitted_by == str(admin.user_id)
    assert phase_of(session_maker, tenant, flow_id) == "questionnaire_generation"
    with session_maker() as check, engagement_uow(admin, check) as uow:
        flow = uow.flow(flow_id)
        assert sorted(flow.collection_config["selected_asset_ids"]) == sorted(ids)
        [event] = uow.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "phase_run_again")
        ).all()
        assert (event.user_id, event.details["replaced_run_id"]) == (admin.user_id, first)
        assert list_incidents(uow) == []
        # Done with: the kept selection went with the run's end.
        store = phase_run_store_for(check.get_bind())
        assert store.kept_input(str(flow.id), again["run_id"]) is None
