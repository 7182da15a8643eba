"""Many answers at once (the answer grid, an answer spreadsheet): each checked as it would be
alone, every acceptable one written in one transaction, the others reported with the reason."""

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from core.access import audit
from core.kernel.errors import BadRequest, Conflict, NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase
from core.questionnaires.answer_checks import check_answer
from core.questionnaires.generation import responses_by_question
from core.questionnaires.open_questions import (
    OpenQuestion,
    gap_ids,
    with_answers,
)
from core.storage.open_questions import OpenQuestionFilter
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow, Questionnaire, QuestionnaireResponse

MAX_ANSWERS_AT_ONCE = 100_000


@dataclass(frozen=True)
class RefusedAnswer:
    question_id: str
    asset_name: str
    label: str
    value: Any
    reason: str


@dataclass
class SavedAnswers:
    saved: int = 0
    refused: list[RefusedAnswer] = field(default_factory=list)


def open_flow_for_answers(uow: UnitOfWork, flow_id: str) -> CollectionFlow:
    """The flow, locked, while it takes answers (manual collection); else a 409."""
    uow.require(Action.ANSWER)
    flow = uow.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"), for_update=True)
    if flow is None:
        raise NotFound("Flow not found")
    if flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
        raise Conflict(
            f"answers are taken in manual_collection; the flow is in {flow.current_phase}"
        )
    return flow


def check_answers(
    uow: UnitOfWork, flow: CollectionFlow, answers: Mapping[str, Any]
) -> tuple[dict[str, tuple[OpenQuestion, Any]], list[RefusedAnswer]]:
    """The acceptable answers (by question id, with their question and stored value) and the
    refused ones; a blank answer is neither (nothing to save)."""
    if len(answers) > MAX_ANSWERS_AT_ONCE:
        raise BadRequest(f"at most {MAX_ANSWERS_AT_ONCE:,} answers at once", field="answers")
    given = {str(key): value for key, value in answers.items()}
    wanted = OpenQuestionFilter()
    rows = uow.open_questions.by_gap_ids(flow.id, gap_ids(list(given)), wanted)
    questions = {question.question_id: question for question in with_answers(uow, rows)}
    acceptable: dict[str, tuple[OpenQuestion, Any]] = {}
    refused: list[RefusedAnswer] = []
    for question_id, value in given.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        question = questions.get(question_id)
        if question is None:
            refused.append(RefusedAnswer(question_id, "", "", value, "no longer an open question"))
            continue
        stored, problem = check_answer(question.field_name, value)
        if problem is None:
            acceptable[question_id] = (question, stored)
        else:
            refused.append(
                RefusedAnswer(question_id, question.asset_name, question.label, value, problem)
            )
    return acceptable, refused


def write_answers(
    uow: UnitOfWork,
    acceptable: Mapping[str, tuple[OpenQuestion, Any]],
    accepted: Collection[str] = (),
    answered_by: uuid.UUID | None = None,
) -> int:
    """Store the checked answers; those in `accepted` whose value is the suggestion are
    recorded as accepted predictions."""
    questionnaire_ids = {
        uuid.UUID(question.questionnaire_id) for question, _ in acceptable.values()
    }
    asked = {
        (row.id, str(question_id))
        for row in uow.session.execute(
            select(Questionnaire.id, Questionnaire.target_gaps).where(
                Questionnaire.id.in_(questionnaire_ids)
            )
        )
        for question_id in row.target_gaps
    }
    existing = responses_by_question(uow.session, list(questionnaire_ids))
    written = 0
    for question_id, (question, value) in acceptable.items():
        questionnaire_id = uuid.UUID(question.questionnaire_id)
        if (questionnaire_id, question_id) not in asked:
            continue  # a gap newer than its questionnaire: regenerating asks it
        response = existing.get((questionnaire_id, question_id))
        if response is None:
            response = QuestionnaireResponse(
                questionnaire_id=questionnaire_id, question_id=question_id
            )
            uow.session.add(response)
        answer: dict[str, Any] = {"answer": value}
        if question_id in accepted and str(value) == str(question.suggestion):
            answer["accepted_prediction"] = {
                "confidence": question.confidence,
                "evidence": question.evidence,
            }
        response.value = answer
        response.answered_by = answered_by
        response.validation_status = "unchecked"
        response.validation_message = None
        written += 1
    if questionnaire_ids:
        uow.session.execute(
            update(Questionnaire)
            .where(Questionnaire.id.in_(questionnaire_ids))
            .values(status="in_progress")
        )
    return written


def save_many_answers(
    uow: UnitOfWork,
    flow_id: str,
    answers: Mapping[str, Any],
    accepted: Collection[str] = (),
    *,
    via: str = "answer grid",
) -> SavedAnswers:
    """Write every acceptable answer (question id -> value) in this one transaction; the
    refused ones come back with the reason. `accepted` names the questions whose suggestion
    was accepted as it stands."""
    flow = open_flow_for_answers(uow, flow_id)
    acceptable, refused = check_answers(uow, flow, answers)
    saved = write_answers(uow, acceptable, set(accepted), uow.ctx.user_id)
    if saved:
        audit.record(uow, "answers_saved", flow_id=flow.flow_id, answers=saved, via=via)
    return SavedAnswers(saved, refused)
