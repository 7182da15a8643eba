"""Run again: an admin queues a stopped long phase (stalled, worker offline, failed) again on a
worker, with the assets a selection was given; the stopped run ends there, the incident leaves
the list, the audit trail names who did it; a live run is a 409, an analyst a 403."""

import time
from dataclasses import replace

import pytest

from core.enhancement.incidents import Remedy, Trouble, list_incidents
from core.enhancement.phase_run_again import run_phase_again
from core.enhancement.worker_beats import WorkerBeat, worker_registry_for
from core.flows import child_flow_service
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_run import PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_run_worker import run_phase_run
from core.flows.phase_runs import run_phase
from core.flows.state import CollectionFlowStateService
from core.kernel.errors import Conflict, Forbidden
from core.kernel.phases import FlowStatus
from core.storage.unit_of_work import engagement_uow
from tests.core.enhancement.test_phase_run_health import put_run
from tests.factories import audit_events, flow_key_of, in_uow

pytestmark = pytest.mark.both_backends


@pytest.fixture
def scanning(db, admin, make_assets) -> str:
    """A flow of the admin's engagement standing in the gap scan (three assets)."""
    assets = make_assets(admin, 3, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Big wave")
    CollectionChildFlowService(db, admin).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    return flow_id


def test_an_admin_runs_a_stalled_scan_again_and_its_incident_leaves(
    db, admin, dispatcher, long_phases, scanning
):
    stalled = put_run(
        db, admin, scanning, status=PhaseRunStatus.RUNNING, heartbeat_at=time.time() - 900
    )
    [incident] = in_uow(db, admin, list_incidents)
    assert (incident.trouble_words, incident.remedy) == ("gap scan stalled", Remedy.RUN_AGAIN)

    answer = in_uow(db, admin, run_phase_again, scanning)
    assert (answer["mode"], answer["phase"], answer["assets"]) == ("queued", "gap_analysis", 3)
    [queued] = dispatcher.jobs
    assert (queued["run_id"], queued["phase_name"]) == (answer["run_id"], "gap_analysis")
    run = phase_run_store_for(db.get_bind()).get(flow_key_of(db, admin, scanning))
    # The stopped run ended here: the flow's key holds the new one, queued.
    assert run.run_id == answer["run_id"] != stalled.run_id
    assert run.status is PhaseRunStatus.QUEUED and run.submitted_by == str(admin.user_id)
    assert in_uow(db, admin, list_incidents) == []
    [event] = audit_events(db, admin, "phase_run_again")
    assert event.user_id == admin.user_id
    assert event.details == {
        "phase": "gap_analysis",
        "run_id": answer["run_id"],
        "replaced_run_id": stalled.run_id,
        "replaced_status": "stalled",
        "replaced_done": 0,
        "replaced_total": 3,
    }

    # The new run is queued and reporting: a second press is refused, nothing more is queued.
    with pytest.raises(Conflict, match="The gap scan is queued and reporting; wait for it to end"):
        in_uow(db, admin, run_phase_again, scanning)
    assert len(dispatcher.jobs) == 1


def test_an_analyst_may_not_run_a_phase_again(
    db, admin, make_member, dispatcher, long_phases, scanning
):
    stalled = put_run(
        db, admin, scanning, status=PhaseRunStatus.RUNNING, heartbeat_at=time.time() - 900
    )
    analyst = make_member(admin, "analyst")
    with pytest.raises(Forbidden) as refused:
        in_uow(db, analyst, run_phase_again, scanning)
    assert (refused.value.status, refused.value.message) == (
        403,
        "the analyst role may not rerun phase",
    )
    assert dispatcher.jobs == []
    assert phase_run_store_for(db.get_bind()).get(flow_key_of(db, admin, scanning)) == stalled


def test_a_stalled_selection_runs_again_with_the_assets_it_was_given(
    db, admin, make_assets, dispatcher, long_phases
):
    selection = {"selected_asset_ids": [str(a.id) for a in make_assets(admin, 3)]}
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Selecting")
    first = in_uow(db, admin, run_phase, flow_id, "asset_selection", selection, then="gap_analysis")
    key = flow_key_of(db, admin, flow_id)
    store = phase_run_store_for(db.get_bind())
    # Its worker took it and fell silent (no worker named: the stall limit tells).
    silent = replace(store.get(key), status=PhaseRunStatus.RUNNING, heartbeat_at=time.time() - 900)
    assert store.update_if_current(key, silent)
    [incident] = in_uow(db, admin, list_incidents)
    assert incident.trouble_words == "asset selection stalled"

    again = in_uow(db, admin, run_phase_again, flow_id)
    assert again["run_id"] != first["run_id"] and again["assets"] == 3
    assert [job["phase_input"] for job in dispatcher.jobs] == [selection, selection]
    assert store.get(key).phases == ("asset_selection", "gap_analysis")
    assert store.kept_input(key, again["run_id"]) == selection


def test_a_selection_whose_assets_are_no_longer_kept_is_selected_again_on_the_flow_page(
    db, admin, make_assets, dispatcher, long_phases
):
    selection = {"selected_asset_ids": [str(a.id) for a in make_assets(admin, 3)]}
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Selecting")
    first = in_uow(db, admin, run_phase, flow_id, "asset_selection", selection)
    key = flow_key_of(db, admin, flow_id)
    store = phase_run_store_for(db.get_bind())
    store.forget_input(key, first["run_id"])  # as after a day, when it expired
    assert store.update_if_current(key, replace(store.get(key), heartbeat_at=time.time() - 900))
    with pytest.raises(Conflict, match="select them again on the Flow page"):
        in_uow(db, admin, run_phase_again, flow_id)
    assert len(dispatcher.jobs) == 1


def test_a_scan_that_failed_its_flow_is_run_again_on_a_worker_not_resumed_in_the_page(
    db, admin, dispatcher, long_phases, scanning
):
    failure = "The gap scan stopped on an unexpected error (ValueError)."
    failed = put_run(db, admin, scanning, status=PhaseRunStatus.FAILED, failure=failure)
    flow = CollectionChildFlowService(db, admin).get_by_master_flow_id(scanning)
    CollectionFlowStateService(db, admin).mark_failed(flow, "ValueError: bad row")
    db.commit()
    [incident] = in_uow(db, admin, list_incidents)
    assert (incident.trouble, incident.remedy) == (Trouble.RUN_FAILED, Remedy.RUN_AGAIN)
    assert (incident.trouble_words, incident.detail) == ("gap scan failed", failure)

    answer = in_uow(db, admin, run_phase_again, scanning)
    assert answer["run_id"] != failed.run_id
    flow = in_uow(db, admin, lambda uow: uow.flow(scanning))
    assert (flow.status, flow.master_flow.retry_count) == (FlowStatus.RUNNING, 1)
    assert in_uow(db, admin, list_incidents) == []
    assert [job["phase_name"] for job in dispatcher.jobs] == ["gap_analysis"]


def test_nothing_stopped_is_nothing_to_run_again(db, admin, dispatcher, long_phases, scanning):
    with pytest.raises(Conflict, match="nothing to run again"):
        in_uow(db, admin, run_phase_again, scanning)
    put_run(db, admin, scanning, status=PhaseRunStatus.COMPLETED)
    with pytest.raises(Conflict, match="nothing to run again"):
        in_uow(db, admin, run_phase_again, scanning)
    assert dispatcher.jobs == []


def test_a_flow_keeps_one_input_that_only_its_own_run_reads_or_drops(db, admin, scanning):
    key, store = flow_key_of(db, admin, scanning), phase_run_store_for(db.get_bind())
    store.keep_input(key, "older run", {"selected_asset_ids": ["a"]})
    store.keep_input(key, "newer run", {"selected_asset_ids": ["b"]})
    store.forget_input(key, "older run")  # the older run ending leaves the newer one's input
    assert store.kept_input(key, "older run") is None
    assert store.kept_input(key, "newer run") == {"selected_asset_ids": ["b"]}
    store.forget_input(key, "newer run")
    assert store.kept_input(key, "newer run") is None


def test_a_replaced_run_whose_worker_comes_back_stops_and_leaves_the_flow_to_the_new_run(
    db, backend, admin, session_maker, dispatcher, long_phases, scanning, monkeypatch
):
    if backend != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the admin's claim would wait on the scan")
    key, store = flow_key_of(db, admin, scanning), phase_run_store_for(db.get_bind())
    now = time.time()
    worker_registry_for(db.get_bind()).beat(WorkerBeat("gone-host:1", now - 120, now - 60))
    stopped = put_run(db, admin, scanning)
    scan = child_flow_service.scan_flow_gaps
    replaced = []

    def scan_while_an_admin_runs_it_again(uow, flow, **options):
        # The worker was silent long enough to read offline; an admin ran the scan again.
        with session_maker() as other, engagement_uow(admin, other) as admin_uow:
            replaced.append(run_phase_again(admin_uow, scanning))
        return scan(uow, flow, **options)

    monkeypatch.setattr(child_flow_service, "scan_flow_gaps", scan_while_an_admin_runs_it_again)
    monkeypatch.setattr("core.flows.phase_run_worker.PROGRESS_EVERY_SECONDS", 0)
    ended = run_phase_run(
        session_maker,
        store,
        client_account_id=str(admin.client_account_id),
        engagement_id=str(admin.engagement_id),
        collection_flow_id=key,
        flow_id=scanning,
        run_id=stopped.run_id,
        phase_input=None,
        stall_seconds=600,
        worker="gone-host:1",
    )
    assert ended is None  # it stopped at its first write after the key became the new run's
    [again] = replaced
    assert store.get(key).run_id == again["run_id"]
    flow = in_uow(db, admin, lambda uow: uow.flow(scanning))
    assert (flow.status, flow.current_phase) == (FlowStatus.RUNNING, "gap_analysis")
    assert in_uow(db, admin, lambda uow: uow.gaps.for_flow(flow.id)) == []  # rolled back
