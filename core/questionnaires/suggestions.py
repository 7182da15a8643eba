"""Predicted values offered in questionnaires: prefilled only when confident enough,
otherwise a suggestion a person accepts with one click (recorded as an accepted prediction)."""

from typing import Any

from config.settings import get_settings
from core.access import audit
from core.catalogue.labels import phase_words
from core.kernel.errors import BadRequest, Conflict, NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase
from core.questionnaires.generation import list_for_flow, responses_by_question
from core.storage.unit_of_work import UnitOfWork
from db.models import QuestionnaireResponse


def prefill_confidence() -> float:
    """The confidence from which a prediction is filled in as the answer (a setting)."""
    return get_settings().prediction_prefill_confidence


def offer_confidence() -> float:
    """The confidence below which a prediction is not offered at all (a setting)."""
    return get_settings().prediction_offer_confidence


def offered(value: Any, confidence: float | None) -> bool:
    """Whether a predicted value is worth offering: there is one, and it is not a wild guess."""
    return value not in (None, "") and (confidence is None or confidence >= offer_confidence())


def prefills(question: dict[str, Any]) -> bool:
    """Whether the question's predicted value is shown as its answer before anyone answers."""
    confidence = question.get("confidence")
    return (
        question.get("default") not in (None, "")
        and confidence is not None
        and confidence >= prefill_confidence()
    )


def accept_prediction(
    uow: UnitOfWork, flow_id: str, questionnaire_id: str, question_id: str
) -> str:
    """Answer a question with its predicted value, marked as an accepted prediction (who
    accepted it is the answer's author); the value accepted."""
    uow.require(Action.ANSWER)
    flow = uow.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"), for_update=True)
    if flow is None:
        raise NotFound("Flow not found")
    if flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
        raise Conflict(
            "answers are taken in manual collection; the flow is in"
            f" {phase_words(flow.current_phase)}"
        )
    wanted = parse_uuid(questionnaire_id, "questionnaire_id")
    questionnaire = next((q for q in list_for_flow(uow, flow) if q.id == wanted), None)
    if questionnaire is None:
        raise NotFound("Questionnaire not found")
    question = next((q for q in questionnaire.questions if q["id"] == question_id), None)
    if question is None:
        raise NotFound("Question not found")
    value = question.get("default")
    if not offered(value, question.get("confidence")):
        raise BadRequest("this question has no predicted value to accept", field="question_id")
    response = responses_by_question(uow.session, [questionnaire.id]).get(
        (questionnaire.id, question_id)
    )
    if response is None:
        response = QuestionnaireResponse(questionnaire_id=questionnaire.id, question_id=question_id)
        uow.session.add(response)
    response.value = {
        "answer": value,
        "accepted_prediction": {
            "confidence": question.get("confidence"),
            "evidence": question.get("evidence") or "",
        },
    }
    response.answered_by = uow.ctx.user_id
    response.validation_status = "unchecked"
    response.validation_message = None
    questionnaire.status = "in_progress"
    audit.record(
        uow,
        "prediction_accepted",
        flow_id=flow.flow_id,
        questionnaire_id=str(questionnaire.id),
        question_id=question_id,
    )
    return str(value)
