"""Phase runs as the stuck markers and the incident list read them: a run queued or running
with a live heartbeat keeps its flow live (never stuck); a run whose heartbeat is older than
JOB_STALL_SECONDS, or whose worker went offline, is stalled; a stalled or failed run of the
phase its flow stands in has stopped, and is an admin's to run again (`phase_run_again`)."""

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine

from config.settings import get_settings
from core.enhancement.job_stores import job_store_for
from core.enhancement.phase_progress import phase_run_progress
from core.enhancement.worker_health import online_checker
from core.flows.health import is_stuck, may_be_stuck
from core.flows.orchestrator import resume_flow
from core.flows.phase_run import PhaseRunProgress, PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import run_phase
from core.kernel.permissions import Action
from core.kernel.phases import FlowStatus
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow


def _engine(uow: UnitOfWork) -> Engine:
    return uow.session.get_bind().engine


def start_phase(
    uow: UnitOfWork,
    flow_id: str,
    phase_name: str,
    phase_input: dict[str, Any] | None = None,
    *,
    then: str | None = None,
) -> dict[str, Any]:
    """`run_phase`, taking over at once a run whose worker went offline."""
    return run_phase(
        uow, flow_id, phase_name, phase_input, then=then, worker_online=online_checker(_engine(uow))
    )


def resume_stopped_flow(uow: UnitOfWork, flow_id: str) -> dict[str, Any]:
    """`resume_flow` (inline, or a long phase queued), taking over at once a run whose worker
    went offline."""
    return resume_flow(uow, flow_id, worker_online=online_checker(_engine(uow)))


def read_phase_runs(
    uow: UnitOfWork, flows: Iterable[CollectionFlow]
) -> dict[str, PhaseRunProgress]:
    """The phase run of each of those flows that has one, by flow_id (one read of the store)."""
    uow.require(Action.VIEW)
    by_key = {str(flow.id): str(flow.flow_id) for flow in flows}
    engine = _engine(uow)
    runs = phase_run_store_for(engine).get_many(list(by_key))
    now, stall_seconds, online = (
        time.time(),
        get_settings().job_stall_seconds,
        online_checker(engine),
    )
    shown = {
        by_key[key]: phase_run_progress(run, now, stall_seconds, engine, online)
        for key, run in runs.items()
    }
    return {flow_id: progress for flow_id, progress in shown.items() if progress is not None}


def current_phase_runs(uow: UnitOfWork) -> dict[str, PhaseRunProgress]:
    """The active flows' phase runs of the phase each stands in, live or stalled, by flow_id
    (paused too: a flow stands paused in asset selection while a run selects its assets)."""
    flows = uow.flows.list_flows(statuses=[FlowStatus.RUNNING, FlowStatus.PAUSED], limit=1000)
    runs = read_phase_runs(uow, flows)
    return {
        str(flow.flow_id): run
        for flow in flows
        if (run := runs.get(str(flow.flow_id))) is not None
        and run.run.status.is_active
        and flow.current_phase in run.run.phases
    }


def stopped_run(flow: CollectionFlow, progress: PhaseRunProgress | None) -> bool:
    """A run of the phase the flow stands in that will not go on by itself: queued or running
    with its worker silent (stalled, or offline), or failed in that phase (an ended run of a
    phase the flow has left, or a live one, is no incident)."""
    if progress is None:
        return False
    run = progress.run
    if run.status is PhaseRunStatus.FAILED:
        return flow.current_phase == run.phase
    return run.status.is_active and progress.stalled and flow.current_phase in run.phases


def stuck_flow_ids(uow: UnitOfWork, flows: Iterable[CollectionFlow]) -> set[str]:
    """Of those flows, the ones stuck: running on the system's side with no live gap job and
    no live phase run, unchanged for a while. The stores are read only for flows that may be."""
    uow.require(Action.VIEW)
    candidates = [
        flow
        for flow in flows
        if may_be_stuck(flow.status, flow.updated_at, phase=flow.current_phase)
    ]
    if not candidates:
        return set()
    runs = read_phase_runs(uow, candidates)
    jobs = job_store_for(_engine(uow)).get_many([str(flow.id) for flow in candidates])
    now, stall_seconds = time.time(), get_settings().job_stall_seconds
    online = online_checker(_engine(uow))
    stuck = set()
    for flow in candidates:
        flow_id, job = str(flow.flow_id), jobs.get(str(flow.id))
        run = runs.get(flow_id)
        live = (run is not None and run.is_live) or (
            job is not None and job.progress(now, stall_seconds, online(job)).is_live
        )
        if is_stuck(flow.status, flow.updated_at, live, phase=flow.current_phase):
            stuck.add(flow_id)
    return stuck
