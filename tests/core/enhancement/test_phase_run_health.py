"""Phase runs in the stuck markers and the incident list: a live run (a long scan) keeps its
flow from being stuck; a stalled one, or one whose worker went offline, is an incident to run
again (the offline one at once; tests/core/enhancement/test_phase_run_again.py runs them)."""

import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from core.enhancement.incidents import Remedy, Trouble, list_incidents
from core.enhancement.phase_progress import watch_phase_run
from core.enhancement.phase_run_health import (
    current_phase_runs,
    start_phase,
    stuck_flow_ids,
)
from core.enhancement.worker_beats import WorkerBeat, worker_registry_for
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_run import PhaseRun, PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import run_phase
from core.flows.reads import list_flows
from core.kernel.errors import Conflict
from db.models import CollectionFlow
from db.types import utcnow
from tests.core.enhancement.test_jobs import flow_in_gap_analysis, in_uow

pytestmark = pytest.mark.both_backends
__all__ = ["flow_in_gap_analysis"]


def unchanged_for_hours(db, flow_id: str) -> None:
    db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
        .values(updated_at=utcnow() - timedelta(hours=2))
    )
    db.commit()


def put_run(db, tenant, flow_id: str, **changes) -> PhaseRun:
    """A gap scan's run as a worker would have written it."""
    key = str(CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id)
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    run = replace(PhaseRun.queued(("gap_analysis",), 3, None, time.time()), **changes)
    store = phase_run_store_for(db.get_bind())
    assert store.claim(key, run, stall_seconds=0) is None
    return run


def stuck(db, tenant) -> set[str]:
    return in_uow(db, tenant, lambda uow: stuck_flow_ids(uow, list_flows(uow)))


def test_a_long_scan_running_with_a_live_heartbeat_is_never_stuck(db, tenant, flow_in_gap_analysis):
    flow_id, _ = flow_in_gap_analysis
    unchanged_for_hours(db, flow_id)
    assert stuck(db, tenant) == {flow_id}  # no job, no run: the marker is right

    put_run(db, tenant, flow_id, status=PhaseRunStatus.RUNNING, started_at=time.time() - 720)
    assert stuck(db, tenant) == set()
    assert in_uow(db, tenant, list_incidents) == []
    [(shown_id, run)] = in_uow(db, tenant, current_phase_runs).items()  # the Overview's read
    assert shown_id == flow_id and run.is_live


def test_a_stalled_scan_is_an_incident_to_run_again_since_its_last_heartbeat(
    db, tenant, flow_in_gap_analysis
):
    flow_id, _ = flow_in_gap_analysis
    last_heard = time.time() - 600
    put_run(db, tenant, flow_id, status=PhaseRunStatus.RUNNING, heartbeat_at=last_heard, done=1)
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy) == (Trouble.RUN_STALLED, Remedy.RUN_AGAIN)
    assert incident.trouble_words == "gap scan stalled"
    assert incident.since == datetime.fromtimestamp(last_heard, UTC)
    assert incident.percentage == pytest.approx(33.3)


def test_a_scan_whose_worker_went_offline_is_flagged_at_once_and_taken_over(
    db, tenant, dispatcher, long_phases, flow_in_gap_analysis
):
    flow_id, _ = flow_in_gap_analysis
    registry = worker_registry_for(db.get_bind())
    now = time.time()
    registry.beat(WorkerBeat("gone-host:1", now - 120, now - 60))  # silent for a minute
    registry.beat(WorkerBeat("live-host:2", now - 120, now))
    put_run(db, tenant, flow_id, status=PhaseRunStatus.RUNNING, worker="live-host:2")
    assert in_uow(db, tenant, list_incidents) == []

    # Its heartbeat is fresh (well within JOB_STALL_SECONDS): only the worker's silence tells.
    dead = put_run(db, tenant, flow_id, status=PhaseRunStatus.RUNNING, worker="gone-host:1")
    read, _ = in_uow(db, tenant, watch_phase_run, flow_id)
    shown = read()
    assert shown is not None and shown.shown_status == "worker offline" and not shown.is_live
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy) == (Trouble.WORKER_OFFLINE, Remedy.RUN_AGAIN)
    assert incident.trouble_words == "gap scan: worker offline"

    # Told nothing of the workers, a start still waits for it; the page's start takes it over.
    with pytest.raises(Conflict, match="already running"):
        in_uow(db, tenant, run_phase, flow_id, "gap_analysis")
    answer = in_uow(db, tenant, start_phase, flow_id, "gap_analysis")
    assert answer["mode"] == "queued" and answer["run_id"] != dead.run_id
    assert [sent.get("run_id") for sent in dispatcher.jobs] == [answer["run_id"]]


def test_a_selection_run_that_stalled_is_an_incident_of_a_paused_flow(db, tenant):
    # A new flow stands paused in asset selection while its run selects the assets.
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Selecting")
    phases = ("asset_selection", "gap_analysis")
    put_run(db, tenant, flow_id, phases=phases, phase=phases[0], heartbeat_at=time.time() - 600)
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble_words, incident.remedy) == (
        "asset selection stalled",
        Remedy.RUN_AGAIN,
    )
    [(shown_id, run)] = in_uow(db, tenant, current_phase_runs).items()
    assert shown_id == flow_id and run.stalled
