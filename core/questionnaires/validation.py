"""The data-validation phase: check each answer, resolve its gap, write it back to the asset."""

import uuid
from typing import Any

from core.catalogue.attributes import asset_field_values, get_attribute
from core.catalogue.values import normalize_answer
from core.questionnaires.generation import list_for_flow, responses_by_question
from core.storage.unit_of_work import UnitOfWork
from core.storage.value_sources import SourceKind, ValueSource, ValueSourceRepository
from db.models import CollectionFlow
from db.types import utcnow


def validate_collected_data(
    uow: UnitOfWork, flow: CollectionFlow, validated_by: uuid.UUID | None
) -> dict[str, Any]:
    """Resolve every pending gap whose answer is valid; report the rest, answer by answer."""
    gaps = uow.gaps.for_flow(flow.id, statuses=["pending"])
    questionnaires = list_for_flow(uow, flow)
    responses = responses_by_question(uow.session, [item.id for item in questionnaires])
    questionnaire_of_gap = {
        question["id"]: questionnaire.id
        for questionnaire in questionnaires
        for question in questionnaire.questions
    }
    asset_names = {
        asset.id: asset.name
        for batch in uow.assets.iter_by_ids(list({gap.asset_id for gap in gaps}))
        for asset in batch
    }
    now = utcnow()
    resolved, problems, unanswered = 0, [], []
    answered: list[ValueSource] = []
    for gap in gaps:
        attribute = get_attribute(gap.field_name)
        questionnaire_id = questionnaire_of_gap.get(str(gap.id))
        response = responses.get((questionnaire_id, str(gap.id))) if questionnaire_id else None
        if attribute is None:
            continue
        if response is None or response.value.get("answer") in (None, ""):
            unanswered.append(gap)
            continue
        value, problem = normalize_answer(attribute, response.value.get("answer"))
        if problem is not None:
            response.validation_status = "invalid"
            response.validation_message = problem
            problems.append(
                {
                    "gap_id": str(gap.id),
                    "asset_id": str(gap.asset_id),
                    "asset_name": asset_names.get(gap.asset_id, ""),
                    "field_name": gap.field_name,
                    "priority": gap.priority,
                    "answer": response.value.get("answer"),
                    "message": f"{attribute.label}: {problem}",
                }
            )
            continue
        asset = uow.assets.get(gap.asset_id)
        if asset is not None:
            for column, new_value in asset_field_values(asset, attribute, value).items():
                setattr(asset, column, new_value)
            answered.append(_answer_source(asset.id, gap.field_name, response, flow.flow_name))
        response.validation_status = "valid"
        response.validation_message = None
        gap.resolution_status = "resolved"
        gap.resolved_value = str(value)
        gap.resolved_by = validated_by
        gap.resolved_at = now
        resolved += 1
    ValueSourceRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id).record(
        answered
    )
    uow.gap_counts.fold(flow.id)  # the resolutions' count changes, one row per group again
    open_critical = [
        gap for gap in gaps if gap.resolution_status == "pending" and gap.priority == 1
    ]
    missing_critical = [
        {
            "gap_id": str(gap.id),
            "asset_id": str(gap.asset_id),
            "asset_name": asset_names.get(gap.asset_id, ""),
            "field_name": gap.field_name,
            "priority": gap.priority,
            "answer": None,
            "message": f"{_label(gap.field_name)}: a required answer is missing",
        }
        for gap in unanswered
        if gap.priority == 1
    ]
    return {
        "status": "needs_more_input" if open_critical else "validated",
        "resolved": resolved,
        "invalid": len(problems),
        "unanswered": len(unanswered),
        "open_critical_gaps": len(open_critical),
        "problems": problems + missing_critical,
    }


def _answer_source(
    asset_id: uuid.UUID, field_name: str, response: Any, flow_name: str
) -> ValueSource:
    """An answer is the owner's: who gave it, or an accepted prediction if that is what it was."""
    accepted = response.value.get("accepted_prediction")
    if accepted:
        return ValueSource(
            asset_id,
            field_name,
            SourceKind.ACCEPTED_PREDICTION,
            f"flow {flow_name}: {accepted.get('evidence', '')}",
            response.answered_by,
            accepted.get("confidence"),
        )
    return ValueSource(
        asset_id, field_name, SourceKind.ANSWER, f"questionnaire of flow {flow_name}",
        response.answered_by,
    )  # fmt: skip


def skip_open_gaps(uow: UnitOfWork, flow: CollectionFlow) -> int:
    """Non-critical gaps nobody answered are skipped when the flow moves on to assessment."""
    skipped = uow.gaps.skip_pending(flow.id)
    uow.gap_counts.fold(flow.id)
    return skipped


def _label(field_name: str) -> str:
    attribute = get_attribute(field_name)
    return attribute.label if attribute is not None else field_name
