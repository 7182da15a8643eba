"""MasterFlowOrchestrator: creates flows and resumes them through their child flow service.

A resume runs the flow's current phase as starting it would: inline, or, for a long phase over
more assets than a page waits on (`phase_runs.runs_on_a_worker`), queued as a phase run that
the Flow page follows with its progress bar.
"""

import logging
import uuid
from typing import Any, Literal, get_args

from sqlalchemy.orm import Session

from core.access import audit
from core.flows.configs import FLOW_CONFIGS, FlowConfig
from core.flows.phase_run import PhaseRun
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_runs import (
    WorkerOnline,
    always_online,
    assets_of,
    queue_phase_run,
    refuse_while_running,
    runs_on_a_worker,
)
from core.flows.state import CollectionFlowStateService, as_engagement_uow, transition_entry
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Conflict, NotFound, ServiceUnavailable
from core.kernel.inputs import parse_choice, parse_text, parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import (
    FINISHED_STATUSES,
    PHASE_PROGRESS,
    CollectionPhase,
    FlowStatus,
    parse_phase,
)
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow, MasterFlow

logger = logging.getLogger(__name__)

AutomationTier = Literal["tier_1", "tier_2", "tier_3", "tier_4"]
AUTOMATION_TIERS: tuple[str, ...] = get_args(AutomationTier)


class UnsupportedFlowType(BadRequest):
    pass


class MasterFlowOrchestrator:
    """Moves a flow between phases and resumes paused, stalled or failed flows, over a session
    or over a use case's unit of work."""

    def __init__(
        self,
        db: Session | UnitOfWork,
        context: RequestContext,
        flow_configs: dict[str, FlowConfig] | None = None,
        worker_online: WorkerOnline | None = None,
    ):
        """`worker_online` says whether a phase run's worker still reports: a resume takes
        over at once a run whose worker went offline (else it waits for the stall limit)."""
        self.uow = as_engagement_uow(db, context)
        self.flow_configs: dict[str, FlowConfig] = flow_configs or FLOW_CONFIGS
        self.worker_online = worker_online

    def create_flow(
        self, flow_type: str = "collection", flow_name: str = "", configuration: dict | None = None
    ) -> str:
        """Create master and child (they share the flow_id); the flow starts in asset_selection."""
        with self.uow as uow:
            uow.require(Action.CREATE_FLOW)
            flow_type = parse_choice(flow_type, "flow_type", self.flow_configs)
            name = parse_text(flow_name, "flow_name", max_length=255)
            configuration = dict(configuration or {})
            tier = parse_choice(
                configuration.pop("automation_tier", "tier_2"), "automation_tier", AUTOMATION_TIERS
            )
            flow_id = uuid.uuid4()
            phase = CollectionPhase.ASSET_SELECTION
            status = FlowStatus.PAUSED
            tenant = {
                "client_account_id": uow.ctx.client_account_id,
                "engagement_id": uow.ctx.engagement_id,
            }
            master = MasterFlow(
                flow_id=flow_id,
                flow_type=flow_type,
                flow_name=name,
                flow_status=status,
                phase_transitions=[
                    transition_entry(CollectionPhase.INITIALIZATION, "completed", uow.ctx.user_id),
                    transition_entry(phase, status, uow.ctx.user_id),
                ],
                retry_count=0,
                error_history=[],
                **tenant,
            )
            child = CollectionFlow(
                flow_id=flow_id,
                master_flow_id=flow_id,
                flow_name=name,
                automation_tier=tier,
                status=status,
                current_phase=phase,
                progress_percentage=PHASE_PROGRESS[phase],
                collection_config=configuration,
                phase_state={},
                **tenant,
            )
            uow.flows.add(master, child)
            audit.record(
                uow,
                "flow_created",
                flow_id=flow_id,
                flow_name=name,
                automation_tier=tier,
            )
            return str(flow_id)

    def resume_flow(self, flow_id: str, resume_context: dict[str, Any] | None = None) -> dict:
        """Re-run the current phase through the flow type's child_flow_service (one path), or
        queue it as a phase run when it is a long phase over too many assets to run inline
        ("mode": "inline" or "queued"). Refused (409) while a run of the flow is live."""
        with self.uow as uow:
            uow.require(Action.RESUME_FLOW)
            flow_uuid = parse_uuid(flow_id, "flow_id")
            # Checked before anything is recorded: a refused resume leaves no trace.
            if resume_context is not None and not isinstance(resume_context, dict):
                raise BadRequest("resume_context must be an object", field="resume_context")
            master = uow.flows.get_master(flow_uuid)
            if master is None:
                raise NotFound("Flow not found")
            if master.flow_status in FINISHED_STATUSES:
                raise Conflict(f"the flow is {master.flow_status}; there is nothing to resume")
            flow_config = self.flow_configs.get(master.flow_type)
            if flow_config is None or flow_config.child_flow_service is None:
                logger.error("No child_flow_service for flow type %r", master.flow_type)
                raise UnsupportedFlowType(
                    f"Flow type '{master.flow_type}' has no execution handler", field="flow_type"
                )
            current_phase = master.get_current_phase() or "initialization"
            phase = parse_phase(current_phase)
            flow = uow.flow(flow_uuid)
            store = phase_run_store_for(uow.session.get_bind().engine)
            assets = assets_of(flow, phase, resume_context)
            if runs_on_a_worker(phase, assets):
                return self._queue_resume(flow, phase, resume_context, assets)
            refuse_while_running(store, flow, self.worker_online)
            logger.info("Executing %s via child_flow_service", master.flow_type)

            def record_resume(child: CollectionFlow) -> None:
                # Inside execute_phase's transaction: a phase that refuses its input takes
                # this back.
                _record_resume(uow, child, current_phase)

            child_service = flow_config.child_flow_service(uow, uow.ctx)
            result = child_service.execute_phase(
                flow_id=str(master.flow_id),
                phase_name=current_phase,
                phase_input=resume_context or {},
                before_run=record_resume,
            )
            return {
                "status": "resumed",
                "mode": "inline",
                "message": "Flow resumed via child_flow_service",
                "current_phase": current_phase,
                "execution_result": result,
            }

    def _queue_resume(
        self,
        flow: CollectionFlow,
        phase: CollectionPhase,
        resume_context: dict[str, Any] | None,
        assets: int,
    ) -> dict[str, Any]:
        """The resume as a phase run: the resume's records go in the queued event's transaction."""
        uow = self.uow
        was_failed = flow.status == FlowStatus.FAILED

        def record_resume(run: PhaseRun) -> None:
            _record_resume(uow, flow, phase, run_id=run.run_id)

        try:
            answer = queue_phase_run(
                uow,
                phase_run_store_for(uow.session.get_bind().engine),
                flow,
                (phase,),
                resume_context,
                assets,
                self.worker_online or always_online,
                bookkeeping=record_resume,
            )
        except ServiceUnavailable as unqueued:
            # The resume was recorded before the queue refused it: a failed flow says it
            # failed again, rather than running with no run to move it on.
            uow.rollback()
            if was_failed and flow.status != FlowStatus.FAILED:
                CollectionFlowStateService(uow, uow.ctx).mark_failed(flow, unqueued.message)
                uow.commit()
            raise
        return {
            **answer,
            "status": "queued",
            "message": "Flow resumed as a phase run on a worker",
            "current_phase": str(phase),
        }


def _record_resume(
    uow: UnitOfWork, child: CollectionFlow, phase: str, run_id: str | None = None
) -> None:
    """A failed flow runs again; a paused or stuck one gets a new try of its phase, named for
    who resumed it."""
    state = CollectionFlowStateService(uow, uow.ctx)
    if child.status == FlowStatus.FAILED:
        state.mark_running(child)
    else:
        state.mark_resumed(child)
    extra = {"run_id": run_id} if run_id else {}
    audit.record(uow, "flow_resumed", flow_id=child.flow_id, phase=str(phase), **extra)


def create_flow(uow: UnitOfWork, flow_name: str, automation_tier: str = "tier_2") -> str:
    """A new collection flow of the caller's engagement; its master flow_id."""
    return MasterFlowOrchestrator(uow, uow.ctx).create_flow(
        flow_name=flow_name, configuration={"automation_tier": automation_tier}
    )


def resume_flow(
    uow: UnitOfWork, flow_id: str, *, worker_online: WorkerOnline | None = None
) -> dict[str, Any]:
    """Re-run the phase a paused, stalled or failed flow stands in (admins), inline or queued."""
    return MasterFlowOrchestrator(uow, uow.ctx, worker_online=worker_online).resume_flow(flow_id)
