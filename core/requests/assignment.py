"""Giving questions nobody reachable owns an owner: one by one, or all that match a filter."""

import uuid
from dataclasses import dataclass

from core.access import audit
from core.kernel.errors import BadRequest
from core.kernel.permissions import Action
from core.requests.owners import parse_email
from core.requests.questions import flow_questions
from core.storage.unit_of_work import UnitOfWork
from db.models import QuestionAssignment

MAX_ASSIGNED_AT_ONCE = 100_000


@dataclass(frozen=True)
class QuestionFilter:
    """Which unassigned questions: all, or those of matching asset names, attribute, priority."""

    asset_name_contains: str | None = None
    field_name: str | None = None
    priority: int | None = None
    question_ids: tuple[str, ...] = ()  # these ones only (one by one)

    def matches(self, question_id: str, asset_name: str, field_name: str, priority: int) -> bool:
        if self.question_ids and question_id not in self.question_ids:
            return False
        wanted = (self.asset_name_contains or "").strip().lower()
        if wanted and wanted not in asset_name.lower():
            return False
        if self.field_name and field_name != self.field_name:
            return False
        return self.priority is None or priority == self.priority


def assign_owner(uow: UnitOfWork, flow_id: str, email: str, matching: QuestionFilter) -> int:
    """Give the unassigned open questions `matching` selects to `email`; how many it took."""
    uow.require(Action.ASSIGN_OWNERS)
    address = parse_email(email)
    flow = uow.flow(flow_id)
    existing = uow.owner_requests.assignments(flow.id)
    chosen = [
        q
        for q in flow_questions(uow, flow)
        if q.owner is None
        and not q.answered
        and matching.matches(
            q.id, q.asset_name, q.question["field_name"], int(q.question.get("priority") or 4)
        )
    ]
    if not chosen:
        raise BadRequest("no unassigned question matches", field="questions")
    for question in chosen[:MAX_ASSIGNED_AT_ONCE]:
        assignment = existing.get(question.id)
        if assignment is None:
            uow.owner_requests.add_assignment(
                QuestionAssignment(
                    collection_flow_id=flow.id,
                    gap_id=uuid.UUID(question.id),
                    owner_email=address,
                    assigned_by=uow.ctx.user_id,
                )  # fmt: skip
            )
        else:
            assignment.owner_email = address
            assignment.assigned_by = uow.ctx.user_id
    audit.record(
        uow, "questions_assigned", flow_id=flow.flow_id, owner=address, questions=len(chosen)
    )
    return len(chosen)
