"""Saving questionnaire answers as people give them."""

from typing import Any

from core.access import audit
from core.catalogue.labels import phase_words
from core.kernel.errors import Conflict, NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase
from core.questionnaires.generation import list_for_flow, responses_by_question, store_answers
from core.storage.unit_of_work import UnitOfWork


def save_answers(
    uow: UnitOfWork, flow_id: str, questionnaire_id: str, answers: dict[str, Any]
) -> int:
    """Store answers as given (checked at validation); only while the flow collects them."""
    uow.require(Action.ANSWER)
    flow_uuid = parse_uuid(flow_id, "flow_id")
    questionnaire_uuid = parse_uuid(questionnaire_id, "questionnaire_id")
    flow = uow.flows.get_by_master_flow_id(flow_uuid, for_update=True)
    if flow is None:
        raise NotFound("Flow not found")
    if flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
        raise Conflict(
            "answers are taken in manual collection; the flow is in"
            f" {phase_words(flow.current_phase)}"
        )
    stored = store_answers(uow, flow, questionnaire_uuid, answers, uow.ctx.user_id)
    audit.record(
        uow,
        "answers_saved",
        flow_id=flow.flow_id,
        questionnaire_id=str(questionnaire_uuid),
        answers=stored,
    )
    return stored


def list_answers(uow: UnitOfWork, flow_id: str) -> dict[str, dict[str, Any]]:
    """The answers given so far, by questionnaire id and question id, with their checks."""
    uow.require(Action.VIEW)
    questionnaires = list_for_flow(uow, uow.flow(flow_id))
    responses = responses_by_question(uow.session, [item.id for item in questionnaires])
    answers: dict[str, dict[str, Any]] = {str(item.id): {} for item in questionnaires}
    for (questionnaire_id, question_id), response in responses.items():
        answers[str(questionnaire_id)][question_id] = {
            "answer": response.value.get("answer"),
            "validation_status": response.validation_status,
            "validation_message": response.validation_message,
        }
    return answers
