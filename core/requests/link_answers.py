"""The owner's page behind a link: their questions of one flow, and their answers.

The signed link is the only authority: it names the tenant, the request and the nonce it was
issued with. A link that is tampered with, expired, or revoked (a resend gave the request a new
nonce) opens nothing. Answers are checked as the Questionnaires page checks them (the
catalogue's reading of a value), stored through the same path, and recorded as the owner's,
given by link, with the time.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.access import audit
from core.catalogue.attributes import get_attribute
from core.catalogue.values import normalize_answer
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Forbidden
from core.kernel.phases import CollectionPhase
from core.questionnaires.generation import responses_by_question, store_answers
from core.requests import links
from core.requests.questions import FlowQuestion, flow_questions
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.models import CollectionFlow, OwnerRequest
from db.types import utcnow

REFUSED = "This link is not valid any more: ask the person who sent it for a new one."
CLOSED = "These questions are closed: the team has moved on with the answers it has."


class LinkRefused(Forbidden):
    """Any link that opens nothing: always the same sentence, whatever was wrong with it."""

    said_as_is = True  # shown to the owner in these words, not as a role's refusal

    def __init__(self, message: str = REFUSED) -> None:
        super().__init__(message)


@dataclass(frozen=True)
class OwnerQuestion:
    questionnaire_id: str
    asset_name: str
    question: dict[str, Any]
    answer: Any


@dataclass(frozen=True)
class OwnerPage:
    owner_email: str
    owner_name: str | None
    flow_name: str
    due_on: date | None
    open_questions: list[OwnerQuestion]  # still to answer
    answered: int  # of this owner's questions


def _context(claim: links.LinkClaim) -> RequestContext:
    # No user: the link, checked below, is the authority; nothing is checked against accounts.
    return RequestContext(claim.client_account_id, claim.engagement_id, checked_at_submit=True)


def _request(uow: UnitOfWork, claim: links.LinkClaim, now: datetime) -> OwnerRequest:
    request = uow.owner_requests.get(claim.request_id, for_update=True)
    if request is None or request.link_nonce != claim.nonce or request.link_expires_at <= now:
        raise LinkRefused()
    return request


def _collecting_flow(uow: UnitOfWork, request: OwnerRequest) -> CollectionFlow:
    flow = uow.flows.get_by_id(request.collection_flow_id)
    if flow is None:
        raise LinkRefused()
    if flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
        raise LinkRefused(CLOSED)
    return flow


def _mine(uow: UnitOfWork, flow: CollectionFlow, request: OwnerRequest) -> list[FlowQuestion]:
    asked = set(request.question_ids)
    # Asked of this owner and still theirs (a question given to someone else since is not).
    return [
        question
        for question in flow_questions(uow, flow, among=request.question_ids)
        if question.id in asked
        and question.owner is not None
        and question.owner.email == request.owner_email
    ]


def _page(flow: CollectionFlow, request: OwnerRequest, mine: list[FlowQuestion]) -> OwnerPage:
    left = [
        OwnerQuestion(str(q.questionnaire_id), q.asset_name, q.question, q.answer)
        for q in mine
        if not q.answered
    ]
    return OwnerPage(
        request.owner_email, request.owner_name, flow.flow_name, request.due_on, left,
        sum(1 for q in mine if q.answered),
    )  # fmt: skip


def open_link(token: object) -> OwnerPage:
    """The owner's open questions; opening is recorded (the manager's view shows it)."""
    claim = links.read(token)
    if claim is None:
        raise LinkRefused()
    now = utcnow()
    with engagement_uow(_context(claim)) as uow:
        request = _request(uow, claim, now)
        flow = _collecting_flow(uow, request)
        request.link_opened_at = now
        return _page(flow, request, _mine(uow, flow, request))


def check_answer(question: dict[str, Any], value: Any) -> str | None:
    """What is wrong with this answer, in the label's words; None when it can be saved."""
    attribute = get_attribute(question["field_name"])
    if attribute is None:
        return f"{question.get('label', 'This question')} cannot be answered here"
    _, problem = normalize_answer(attribute, value)
    return None if problem is None else f"{question['label']}: {problem}"


@dataclass(frozen=True)
class LinkSave:
    saved: int
    problems: dict[str, str]  # question id -> why that answer was not saved
    page: OwnerPage


def save_by_link(token: object, answers: dict[str, Any]) -> LinkSave:
    """Save the valid answers among these (question id -> value); the refused ones, and why."""
    claim = links.read(token)
    if claim is None:
        raise LinkRefused()
    if not isinstance(answers, dict):
        raise BadRequest("answers must map questions to values", field="answers")
    now = utcnow()
    with engagement_uow(_context(claim)) as uow:
        request = _request(uow, claim, now)
        flow = _collecting_flow(uow, request)
        mine = {question.id: question for question in _mine(uow, flow, request)}
        problems: dict[str, str] = {}
        by_questionnaire: dict[uuid.UUID, dict[str, Any]] = defaultdict(dict)
        for question_id, value in answers.items():
            if value in (None, ""):
                continue
            question = mine.get(question_id)
            if question is None:
                raise BadRequest("an answer names a question that is not yours", field="answers")
            problem = check_answer(question.question, value)
            if problem is None:
                by_questionnaire[question.questionnaire_id][question_id] = value
            else:
                problems[question_id] = problem
        saved = 0
        for questionnaire_id, given in by_questionnaire.items():
            saved += store_answers(uow, flow, questionnaire_id, given, None)
            stored = responses_by_question(uow.session, [questionnaire_id])
            for question_id in given:
                response = stored[(questionnaire_id, question_id)]
                response.value = {
                    **response.value,
                    "answered_via_link": request.owner_email,
                    "answered_at": now.isoformat(),
                }
        if saved:
            audit.record(
                uow, "answers_saved_by_link", flow_id=flow.flow_id,
                owner=request.owner_email, answers=saved,
            )  # fmt: skip
            uow.session.flush()
        return LinkSave(saved, problems, _page(flow, request, _mine(uow, flow, request)))
