"""Running the phase a flow stands in: quick phases inline, big gap scans on a worker."""

from typing import Any

from core.access import audit
from core.catalogue.labels import phase_words
from core.flows.child_flow_service import CollectionChildFlowService
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import Conflict, NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase, parse_phase
from core.storage.unit_of_work import UnitOfWork

# A scan of more assets than this goes to a worker, so no page waits on it.
INLINE_SCAN_LIMIT = 2000


def run_phase(
    uow: UnitOfWork, flow_id: str, phase_name: str, phase_input: dict[str, Any] | None = None
) -> dict[str, Any]:
    """{"mode": "inline", "result": ...} or {"mode": "queued"} for a big gap scan."""
    uow.require(Action.RUN_PHASE)
    phase = parse_phase(phase_name)
    service = CollectionChildFlowService(uow, uow.ctx)
    if phase is CollectionPhase.GAP_ANALYSIS:
        flow = service.get_by_master_flow_id(flow_id)
        selected = len(flow.collection_config.get("selected_asset_ids", [])) if flow else 0
        if flow is not None and selected > INLINE_SCAN_LIMIT:
            return _queue_scan(uow, flow_id, selected)
    return {"mode": "inline", "result": service.execute_phase(flow_id, phase_name, phase_input)}


def _queue_scan(uow: UnitOfWork, flow_id: str, selected: int) -> dict[str, Any]:
    flow = uow.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"), for_update=True)
    if flow is None:
        raise NotFound("Flow not found")
    if flow.current_phase != CollectionPhase.GAP_ANALYSIS:
        raise Conflict(f"the flow stands in {phase_words(flow.current_phase)}, not gap analysis")
    # A second queued scan is harmless: execute_phase answers it with a 409 and no change.
    audit.record(uow, "gap_scan_queued", flow_id=flow.flow_id, assets=selected)
    # Handed to the queue last: the worker's execute_phase waits on this transaction's lock.
    ctx = uow.ctx
    get_dispatcher().enqueue_phase(
        client_account_id=str(ctx.client_account_id),
        engagement_id=str(ctx.engagement_id),
        flow_id=flow_id,
        phase_name=CollectionPhase.GAP_ANALYSIS.value,
        user_id=str(ctx.user_id) if ctx.user_id else None,
    )
    return {"mode": "queued", "assets": selected}
