"""What managers read: per owner of a flow, and per engagement, how the requests are going."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from core.kernel.permissions import Action
from core.requests.questions import flow_questions
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow


@dataclass(frozen=True)
class OwnerProgress:
    owner_email: str
    owner_name: str | None
    questions: int  # asked in the owner's request
    answered: int  # of those, answered or resolved since
    last_mailed_at: datetime | None
    link_opened_at: datetime | None
    due_on: date | None
    overdue: bool  # past the due date with questions left
    delivery: str  # queued, sent, retrying, failed
    delivery_error: str | None


@dataclass(frozen=True)
class UnassignedQuestion:
    question_id: str
    asset_name: str
    label: str
    field_name: str
    priority: int


def owner_progress(uow: UnitOfWork, flow_id: str) -> list[OwnerProgress]:
    uow.require(Action.VIEW)
    flow = uow.flow(flow_id)
    questions = flow_questions(uow, flow)
    pending = {q.id for q in questions}
    answered_ids = {q.id for q in questions if q.answered}
    today = utcnow().date()
    rows = []
    for request in uow.owner_requests.for_flow(flow.id):
        asked = set(request.question_ids)
        # Answered: an answer is in, or the question is closed (resolved or skipped).
        answered = len(asked & answered_ids) + len(asked - pending)
        left = len(asked & pending) - len(asked & answered_ids)
        rows.append(
            OwnerProgress(
                request.owner_email,
                request.owner_name,
                len(asked),
                answered,
                request.last_mailed_at,
                request.link_opened_at,
                request.due_on,
                bool(left) and request.due_on is not None and request.due_on < today,
                request.delivery_status,
                request.delivery_error,
            )
        )
    return rows


def unassigned_questions(uow: UnitOfWork, flow_id: str) -> list[UnassignedQuestion]:
    """The flow's open, unanswered questions that no reachable owner holds."""
    uow.require(Action.VIEW)
    return [
        UnassignedQuestion(
            q.id,
            q.asset_name,
            q.question.get("label", q.question["field_name"]),
            q.question["field_name"],
            int(q.question.get("priority") or 4),
        )  # fmt: skip
        for q in flow_questions(uow, uow.flow(flow_id))
        if q.owner is None and not q.answered
    ]


@dataclass(frozen=True)
class ResponseFigures:
    owners_asked: int  # owners mailed at least once
    owners_answered: int  # of those, who answered at least one question by their link
    median_hours_to_answer: float | None  # from the owner's first mail to each answer

    @property
    def response_rate(self) -> float | None:
        return self.owners_answered / self.owners_asked if self.owners_asked else None


def response_figures(uow: UnitOfWork) -> ResponseFigures:
    """The engagement's response rate and median time to an answer, over its requests."""
    uow.require(Action.VIEW)
    requests = [r for r in uow.owner_requests.of_engagement() if r.first_mailed_at is not None]
    answered_owners: set[tuple[str, str]] = set()
    waits: list[float] = []
    for flow_id in {request.collection_flow_id for request in requests}:
        flow = uow.flows.get_by_id(flow_id)
        if flow is None:
            continue
        first_mail = {
            r.owner_email: r.first_mailed_at for r in requests if r.collection_flow_id == flow_id
        }
        for answer_time, owner in uow.owner_requests.link_answers(flow.id):
            mailed = first_mail.get(owner)
            if mailed is None:
                continue
            answered_owners.add((str(flow_id), owner))
            waits.append(max(0.0, (answer_time - mailed).total_seconds() / 3600))
    return ResponseFigures(
        len(requests), len(answered_owners), statistics.median(waits) if waits else None
    )
