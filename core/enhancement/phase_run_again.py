"""Run again: an admin's one action on a long phase whose run failed, stalled or lost its worker.

The phases the stopped run had left (from the one the flow stands in) are queued again as a new
run, with the assets an asset selection was given (kept beside the run's key). The new run
takes the flow's key over the stopped one, which ends there: its worker, should it come back,
stops at its next write and leaves the flow to the new run. Refused with a 409 while a run of
the flow is queued or running and reporting; audited with who ran it again and what it replaced.
"""

import time
from typing import Any

from config.settings import get_settings
from core.access import audit
from core.enhancement.phase_progress import phase_run_progress
from core.enhancement.phase_run_health import stopped_run
from core.enhancement.worker_health import online_checker
from core.flows.phase_run import PhaseRun
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import assets_of, queue_phase_run
from core.flows.state import CollectionFlowStateService
from core.kernel.errors import Conflict
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase, FlowStatus, parse_phase
from core.storage.unit_of_work import UnitOfWork


def run_phase_again(uow: UnitOfWork, flow_id: str) -> dict[str, Any]:
    """{"mode": "queued", "run_id": ..., "assets": N, "phase": ...}: the stopped run, queued again."""
    uow.require(Action.RERUN_PHASE)
    flow = uow.flow(flow_id)
    engine = uow.session.get_bind().engine
    store = phase_run_store_for(engine)
    online = online_checker(engine)
    stopped = store.get(str(flow.id))
    progress = phase_run_progress(
        stopped, time.time(), get_settings().job_stall_seconds, engine, online
    )
    if progress is not None and progress.is_live:
        raise Conflict(
            f"The {progress.run.words} is {progress.run.status} and reporting; wait for it to end"
        )
    if stopped is None or progress is None or not stopped_run(flow, progress):
        raise Conflict("No run of this flow's phase has stopped: there is nothing to run again")
    phases = tuple(map(parse_phase, stopped.phases[stopped.phases.index(flow.current_phase) :]))
    phase_input = None
    if phases[0] is CollectionPhase.ASSET_SELECTION:
        phase_input = store.kept_input(str(flow.id), stopped.run_id)
        if phase_input is None:
            raise Conflict(
                "The assets that run was given are no longer kept; select them again on the"
                " Flow page"
            )
    shown_status = progress.shown_status

    def record(run: PhaseRun) -> None:
        # In the transaction of the queued event: who ran it again, and a failed flow running
        # again (its run ended). A stalled run's flow rows are left alone: a worker that froze
        # mid-phase may still hold their lock.
        if flow.status == FlowStatus.FAILED:
            CollectionFlowStateService(uow, uow.ctx).mark_running(flow)
        audit.record(
            uow,
            "phase_run_again",
            flow_id=flow.flow_id,
            phase=run.phase,
            run_id=run.run_id,
            replaced_run_id=stopped.run_id,
            replaced_status=shown_status,
            replaced_done=stopped.done,
            replaced_total=stopped.total,
        )

    answer = queue_phase_run(
        uow,
        store,
        flow,
        phases,
        phase_input,
        assets_of(flow, phases[0], phase_input),
        online,
        over=stopped.run_id,
        bookkeeping=record,
    )
    return {**answer, "phase": str(phases[0])}
