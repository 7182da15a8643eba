"""Running the phase a flow stands in: quick phases inline, long ones as queued phase runs.

A phase over more than INLINE_SCAN_LIMIT assets (asset selection, the gap scan, questionnaire
generation) is handed to a worker as a phase run (core/flows/phase_run.py), so no page waits
on it: the start takes the flow's phase-run key (a second start while one is queued or
running is a 409), writes the audit event and queues the run, and answers at once.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from config.settings import get_settings
from core.access import audit
from core.catalogue.labels import phase_words, run_words
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.phase_run import PhaseRun
from core.flows.phase_run_store import PhaseRunStore, phase_run_store_for
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import BadRequest, Conflict, ServiceUnavailable
from core.kernel.inputs import parse_uuid_list
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase, parse_phase
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow

logger = logging.getLogger(__name__)
WorkerOnline = Callable[[PhaseRun], bool]

# A phase over more assets than this goes to a worker, so no page waits on it.
INLINE_SCAN_LIMIT = 2000
LONG_PHASES = frozenset(
    {
        CollectionPhase.ASSET_SELECTION,
        CollectionPhase.GAP_ANALYSIS,
        CollectionPhase.QUESTIONNAIRE_GENERATION,
    }
)


def run_phase(
    uow: UnitOfWork,
    flow_id: str,
    phase_name: str,
    phase_input: dict[str, Any] | None = None,
    *,
    then: str | None = None,
    worker_online: WorkerOnline | None = None,
) -> dict[str, Any]:
    """{"mode": "inline", "result": ...}, or {"mode": "queued", ...} for a long phase.

    `then` names the phase to run right after it (a gap scan after asset selection): in the
    same transaction inline, in the same run when queued. `worker_online` says whether a
    run's worker still reports: a run whose worker went offline is taken over at once.
    """
    online = worker_online or always_online
    uow.require(Action.RUN_PHASE)
    phase = parse_phase(phase_name)
    phases = (phase, parse_phase(then)) if then else (phase,)
    flow = uow.flow(flow_id)
    store = phase_run_store_for(uow.session.get_bind().engine)
    assets = assets_of(flow, phase, phase_input)
    if runs_on_a_worker(phase, assets):
        return queue_phase_run(uow, store, flow, phases, phase_input, assets, online)
    refuse_while_running(store, flow, online)
    service = CollectionChildFlowService(uow, uow.ctx)
    result = service.execute_phase(flow_id, phase_name, phase_input)
    for following in phases[1:]:
        result = service.execute_phase(flow_id, following)
    return {"mode": "inline", "result": result}


def runs_on_a_worker(phase: CollectionPhase, assets: int) -> bool:
    """A long phase over more than INLINE_SCAN_LIMIT assets is queued; any other runs inline."""
    return phase in LONG_PHASES and assets > INLINE_SCAN_LIMIT


def assets_of(flow: CollectionFlow, phase: CollectionPhase, phase_input: Any) -> int:
    """How many assets the phase goes over (the selection it is given, or the flow's)."""
    if phase is CollectionPhase.ASSET_SELECTION:
        given = phase_input.get("selected_asset_ids") if isinstance(phase_input, dict) else None
        return len(given) if isinstance(given, list) else 0
    return len(flow.collection_config.get("selected_asset_ids", []))


def always_online(run: PhaseRun) -> bool:
    """Without a reading of the workers' heartbeats: a run is taken as its status says."""
    return True


def refuse_while_running(
    store: PhaseRunStore, flow: CollectionFlow, worker_online: WorkerOnline | None = None
) -> None:
    """409 while a run of the flow is queued or running and its worker reports."""
    worker_online = worker_online or always_online
    run = store.get(str(flow.id))
    if (
        run is not None
        and run.blocks_start(time.time(), get_settings().job_stall_seconds)
        and not run.worker_gone(worker_online(run))
    ):
        raise Conflict(_busy(run))


def _busy(run: PhaseRun) -> str:
    return f"A {run.words} of this flow is already {run.status}; wait for it to end"


def queue_phase_run(
    uow: UnitOfWork,
    store: PhaseRunStore,
    flow: CollectionFlow,
    phases: tuple[CollectionPhase, ...],
    phase_input: dict[str, Any] | None,
    assets: int,
    worker_online: WorkerOnline,
    *,
    over: str | None = None,
    bookkeeping: Callable[[PhaseRun], None] | None = None,
) -> dict[str, Any]:
    """Check what can be checked now (400, 409), take the flow's key, audit, queue.

    `over`: the id of a stopped run that this one replaces, even if it still looks live.
    `bookkeeping(run)` writes a caller's records in the transaction of the queued event.
    """
    if flow.current_phase != phases[0]:
        raise Conflict(
            f"the flow stands in {phase_words(flow.current_phase)}, not {phase_words(phases[0])}",
            field="phase_name",
        )
    if phases[0] is CollectionPhase.ASSET_SELECTION:
        # Bad ids are a 400 now, not a failed run later; a selection over the cap too.
        cap = get_settings().max_assets_per_flow
        given = (phase_input or {}).get("selected_asset_ids")
        if not parse_uuid_list(given, "selected_asset_ids", max_items=cap):
            raise BadRequest("select at least one asset", field="selected_asset_ids")
    collection_flow_id, flow_id = str(flow.id), str(flow.flow_id)
    uow.commit()  # SQLite: the claim needs the write lock this unit of work's reads hold
    submitted_by = str(uow.ctx.user_id) if uow.ctx.user_id else None
    run = PhaseRun.queued(tuple(map(str, phases)), assets, submitted_by, time.time())
    stall_seconds = get_settings().job_stall_seconds
    holder = store.claim(collection_flow_id, run, stall_seconds=stall_seconds, over=over)
    if holder is not None and holder.worker_gone(worker_online(holder)):
        # Its worker went offline: taken over now (should it come back, it stops at its next
        # write, the key no longer being its run's).
        holder = store.claim(
            collection_flow_id, run, stall_seconds=stall_seconds, over=holder.run_id
        )
    if holder is not None:
        raise Conflict(_busy(holder))
    try:
        if phase_input:
            store.keep_input(collection_flow_id, run.run_id, phase_input)
        audit.record(uow, "phase_run_queued", flow_id=flow.flow_id, phase=run.phase, assets=assets)
        if bookkeeping is not None:
            bookkeeping(run)
        uow.commit()
        ctx = uow.ctx
        get_dispatcher().enqueue_phase(
            client_account_id=str(ctx.client_account_id),
            engagement_id=str(ctx.engagement_id),
            flow_id=flow_id,
            phase_name=run.phase,
            user_id=submitted_by,
            collection_flow_id=collection_flow_id,
            run_id=run.run_id,
            phase_input=phase_input,
        )
    except Exception as error:
        # Nothing runs: give the key back so the person can simply start it again.
        store.delete_if_current(collection_flow_id, run.run_id)
        if isinstance(error, BadRequest | Conflict):
            raise
        logger.exception("queueing phase run %s failed", run.run_id)
        raise ServiceUnavailable(
            f"The worker queue is unreachable; the {run_words(run.phase)} was not started."
        ) from error
    return {"mode": "queued", "assets": assets, "run_id": run.run_id}
