"""Phase changes of a flow: master and child move together, in the caller's unit of work."""

import uuid
from typing import Any

from sqlalchemy.orm import Session

from core.access import audit
from core.kernel.context import RequestContext
from core.kernel.errors import NotFound
from core.kernel.phases import (
    PHASE_PROGRESS,
    CollectionPhase,
    FlowStatus,
    check_transition,
    status_for,
)
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.models import CollectionFlow
from db.types import utcnow


def transition_entry(phase: str, status: str, by: uuid.UUID | None) -> dict[str, Any]:
    """One step of a master's phase_transitions; `by` is who moved it (None: the system)."""
    return {
        "phase": phase,
        "status": status,
        "timestamp": utcnow().isoformat(),
        "by": str(by) if by else None,
    }


def as_engagement_uow(db: Session | UnitOfWork, context: RequestContext) -> UnitOfWork:
    """A service's `(db, context)` as a unit of work: a use case's own when `db` is one (one
    transaction with it), else a new one over the plain session a worker or script passes."""
    return db if isinstance(db, UnitOfWork) else engagement_uow(context, db)


class CollectionFlowStateService:
    def __init__(self, db: Session | UnitOfWork, context: RequestContext):
        self.uow = as_engagement_uow(db, context)

    def transition_phase(
        self, flow_id: uuid.UUID, new_phase: CollectionPhase, *, reason: str | None = None
    ) -> CollectionFlow:
        """Move the flow (child id) to `new_phase`, or raise InvalidTransition and change nothing."""
        with self.uow as uow:
            # A phase change reads the row's state; the selection stays unread.
            child = uow.flows.get_without_selection(flow_id)
            if child is None:
                raise NotFound("Flow not found")
            current = CollectionPhase(child.current_phase)
            check_transition(current, new_phase)
            status = status_for(new_phase)
            master = child.master_flow
            # JSON columns change by assignment, never in place, so the ORM sees the change.
            master.phase_transitions = [
                *master.phase_transitions,
                transition_entry(new_phase, status, uow.ctx.user_id),
            ]
            master.flow_status = status
            child.current_phase = new_phase
            child.status = status
            child.progress_percentage = PHASE_PROGRESS[new_phase]
            audit.record(
                uow,
                "phase_transition",
                flow_id=child.flow_id,
                from_phase=current.value,
                to_phase=new_phase.value,
                **({"reason": reason} if reason else {}),
            )
            return child

    def mark_failed(self, child: CollectionFlow, error: str) -> None:
        """A phase error fails the flow; it stays in its phase so a resume can re-run it."""
        with self.uow as uow:
            master = child.master_flow
            master.flow_status = FlowStatus.FAILED
            master.error_history = [
                *master.error_history,
                {"phase": child.current_phase, "error": error, "timestamp": utcnow().isoformat()},
            ]
            master.phase_transitions = [
                *master.phase_transitions,
                transition_entry(child.current_phase, FlowStatus.FAILED, uow.ctx.user_id),
            ]
            child.status = FlowStatus.FAILED
            audit.record(
                uow,
                "phase_failed",
                flow_id=child.flow_id,
                phase=child.current_phase,
                error=error[:500],
            )

    def mark_running(self, child: CollectionFlow) -> None:
        """A resumed failed flow runs again in the phase it failed in."""
        with self.uow as uow:
            master = child.master_flow
            status = status_for(CollectionPhase(child.current_phase))
            master.retry_count += 1
            master.flow_status = status
            master.phase_transitions = [
                *master.phase_transitions,
                transition_entry(child.current_phase, status, uow.ctx.user_id),
            ]
            child.status = status

    def mark_resumed(self, child: CollectionFlow) -> None:
        """A stuck flow run again by an admin: a new try of its phase, named for who did it."""
        with self.uow as uow:
            master = child.master_flow
            resumed = transition_entry(child.current_phase, child.status, uow.ctx.user_id)
            master.phase_transitions = [*master.phase_transitions, {**resumed, "resumed": True}]
