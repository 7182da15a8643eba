"""Questionnaires: one per asset with pending gaps, one typed question per gap; answers."""

import uuid
from collections.abc import Callable
from itertools import groupby
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.catalogue.attributes import get_attribute, question_for
from core.kernel.errors import BadRequest, NotFound
from core.kernel.text import clean_text
from core.storage.dialect import insert, refresh_statistics
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow, Questionnaire, QuestionnaireResponse
from db.types import utcnow

MAX_ANSWER_LENGTH = 2000
QUESTIONNAIRE_BATCH = 1000  # questionnaires written per statement


def build_questions(gaps: list[Any]) -> list[dict[str, Any]]:
    questions = []
    for gap in sorted(gaps, key=lambda gap: (gap.priority, gap.field_name)):
        attribute = get_attribute(gap.field_name)
        if attribute is None:
            continue
        question = question_for(attribute)
        question["id"] = str(gap.id)
        question["gap_type"] = gap.gap_type
        question["priority"] = gap.priority
        question["default"] = gap.predicted_value
        question["confidence"] = gap.confidence_score
        question["evidence"] = (gap.ai_suggestions or {}).get("evidence")
        questions.append(question)
    return questions


QUESTIONNAIRES_BULK_ROWS = 500


def generate_questionnaires(
    uow: UnitOfWork,
    flow: CollectionFlow,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """(Re)build the questionnaire of every asset that has pending gaps;
    `progress(questionnaires built, questionnaires to build)` as it goes.

    The pending gaps are read asset after asset and the questionnaires written in batches, so a
    flow of 700,000 gaps never sits in memory."""
    total = uow.gaps.count_assets_with_pending(flow.id) if progress is not None else 0
    generated = questions = 0
    rows: list[dict[str, Any]] = []
    now = utcnow()
    gaps = uow.gaps.iter_pending_by_asset(flow.id)
    for asset_id, asset_gaps in groupby(gaps, key=lambda gap: gap.asset_id):
        first, *rest = asset_gaps
        asked = build_questions([first, *rest])
        rows.append(
            {
                "id": uuid.uuid4(),
                "collection_flow_id": flow.id,
                "asset_id": asset_id,
                "title": f"{first.asset_name or asset_id}",
                "questions": asked,
                "target_gaps": [question["id"] for question in asked],
                "status": "pending",
                "created_at": now,
                "updated_at": now,
            }
        )
        generated += 1
        questions += len(asked)
        if len(rows) >= QUESTIONNAIRE_BATCH:
            _upsert_questionnaires(uow.session, rows)
            rows = []
            if progress is not None:
                progress(generated, total)
    _upsert_questionnaires(uow.session, rows)
    # A questionnaire per asset: a flow of a few thousand is what the grid reads whole.
    refresh_statistics(uow.session, "questionnaires", generated, bulk_rows=QUESTIONNAIRES_BULK_ROWS)
    return {"status": "completed", "questionnaires_generated": generated, "questions": questions}


def _upsert_questionnaires(db: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    upsert = insert(db, Questionnaire)
    db.execute(
        upsert.on_conflict_do_update(
            index_elements=["collection_flow_id", "asset_id"],
            set_={
                key: upsert.excluded[key]
                for key in ("title", "questions", "target_gaps", "updated_at")
            },
        ),
        rows,
    )


def list_for_flow(uow: UnitOfWork, flow: CollectionFlow) -> list[Questionnaire]:
    return uow.questionnaires.for_flow(flow.id)


def responses_by_question(
    db: Session, questionnaire_ids: list[uuid.UUID]
) -> dict[tuple[uuid.UUID, str], QuestionnaireResponse]:
    if not questionnaire_ids:
        return {}
    query = select(QuestionnaireResponse).where(
        QuestionnaireResponse.questionnaire_id.in_(questionnaire_ids)
    )
    return {(row.questionnaire_id, row.question_id): row for row in db.scalars(query)}


def store_answers(
    uow: UnitOfWork,
    flow: CollectionFlow,
    questionnaire_id: uuid.UUID,
    answers: dict[str, Any],
    answered_by: uuid.UUID | None,
) -> int:
    """Keep each answer as given (validation comes later); returns how many were stored."""
    questionnaire = next(
        (item for item in list_for_flow(uow, flow) if item.id == questionnaire_id), None
    )
    if questionnaire is None:
        raise NotFound("Questionnaire not found")
    if not isinstance(answers, dict) or not answers:
        raise BadRequest("answers must map question ids to values", field="answers")
    # Errors name the question and the asset as people see them, never by their ids.
    names = {
        question["id"]: f"the answer to {question.get('label', question['id'])} of"
        f" {questionnaire.title}"
        for question in questionnaire.questions
    }
    for question_id, value in answers.items():
        if question_id not in names:
            raise BadRequest(
                f"question {question_id!r} is not in this questionnaire", field="answers"
            )
        if not (value is None or isinstance(value, str | int | float)) or isinstance(value, bool):
            raise BadRequest(f"{names[question_id]} must be text or a number", field="answers")
        if isinstance(value, str) and len(value) > MAX_ANSWER_LENGTH:
            raise BadRequest(
                f"{names[question_id]} is too long: {len(value)} characters, at most"
                f" {MAX_ANSWER_LENGTH}",
                field="answers",
            )
    answers = {
        question_id: clean_text(value, "answers", multiline=True, label=names[question_id])
        if isinstance(value, str)
        else value
        for question_id, value in answers.items()
    }
    existing = responses_by_question(uow.session, [questionnaire.id])
    for question_id, value in answers.items():
        response = existing.get((questionnaire.id, question_id))
        if response is None:
            response = QuestionnaireResponse(
                questionnaire_id=questionnaire.id, question_id=question_id
            )
            uow.session.add(response)
        response.value = {"answer": value}
        response.answered_by = answered_by
        response.validation_status = "unchecked"
        response.validation_message = None
    questionnaire.status = "in_progress"
    return len(answers)
