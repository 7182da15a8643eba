"""A flow's open questions in one list: what the answer grid and the answer spreadsheet show.

An open question is a pending gap's question; each row carries its asset, its owner, the
suggestion (only when it is worth offering) with its reason, and the answer saved so far.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from config.settings import get_settings
from core.catalogue.attributes import get_attribute
from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.inputs import MAX_FILTER_LENGTH
from core.kernel.permissions import Action
from core.questionnaires.generation import responses_by_question
from core.questionnaires.owners import owner_of_question
from core.questionnaires.suggestions import offered
from core.storage.open_questions import OpenQuestionFilter
from core.storage.unit_of_work import UnitOfWork


class OpenQuestionFilters(InputModel):
    """The grid's filters; empty fields filter nothing."""

    owner: CleanText = Field(default="", max_length=MAX_FILTER_LENGTH, title="Owner")
    without_owner: bool = Field(default=False, title="Without an owner")
    asset_name_contains: CleanText = Field(
        default="", max_length=MAX_FILTER_LENGTH, title="Asset name contains"
    )
    field_names: tuple[str, ...] = Field(default=(), max_length=100, title="Attributes")
    priorities: tuple[int, ...] = Field(default=(), max_length=4, title="Priorities")

    def stored(self) -> OpenQuestionFilter:
        return OpenQuestionFilter(
            asset_name_contains=self.asset_name_contains,
            field_names=self.field_names,
            priorities=self.priorities,
            owner=self.owner.lower() or None,
            without_owner=self.without_owner,
        )


@dataclass(frozen=True)
class OpenQuestion:
    question_id: str  # the gap's id, as questionnaires name their questions
    questionnaire_id: str
    asset_name: str
    field_name: str
    label: str
    kind: str  # select | number | text
    options: tuple[str, ...]
    priority: int
    owner: str | None  # the owner's email (as requests mail it); None: unassigned
    suggestion: str | None  # offered only from PREDICTION_OFFER_CONFIDENCE up
    confidence: float | None
    evidence: str
    answer: Any  # saved so far, None when unanswered


@dataclass(frozen=True)
class OpenQuestions:
    rows: list[OpenQuestion]
    matching: int  # how many match the filters; `rows` stops at the grid's limit
    limit: int


def _owner_email(field_name: str, row: Any) -> str | None:
    owner = owner_of_question(field_name, row.technical_owner, row.business_owner, row.assigned_to)
    return owner.email if owner is not None else None


def matching_rows(
    uow: UnitOfWork, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter, limit: int
) -> tuple[list[Any], int]:
    """Up to `limit` rows of the open questions matching, and how many match; one owner's
    (or the unassigned) are picked by the owner requests mail to, from what SQL narrowed."""
    store = uow.open_questions
    if not wanted.by_owner:
        rows = store.page(collection_flow_id, wanted, limit)
        return rows, len(rows) if len(rows) < limit else store.count(collection_flow_id, wanted)
    ids = [
        row.id for row in store.owner_keys(collection_flow_id, wanted)
        if _owner_email(row.field_name, row) == wanted.owner
    ]  # fmt: skip
    order = {gap_id: place for place, gap_id in enumerate(ids[:limit])}
    rows = store.by_gap_ids(collection_flow_id, list(order), wanted)
    return sorted(rows, key=lambda row: order[row.CollectionDataGap.id]), len(ids)


def question_row(row: Any, answer: Any) -> OpenQuestion | None:
    gap = row.CollectionDataGap
    attribute = get_attribute(gap.field_name)
    if attribute is None:
        return None
    suggested = offered(gap.predicted_value, gap.confidence_score)
    return OpenQuestion(
        question_id=str(gap.id),
        questionnaire_id=str(row.questionnaire_id),
        asset_name=row.asset_name,
        field_name=gap.field_name,
        label=attribute.label,
        kind=attribute.question_type,
        options=attribute.options,
        priority=gap.priority,
        owner=_owner_email(gap.field_name, row),
        suggestion=gap.predicted_value if suggested else None,
        confidence=gap.confidence_score if suggested else None,
        evidence=str((gap.ai_suggestions or {}).get("evidence") or "") if suggested else "",
        answer=answer,
    )


def with_answers(uow: UnitOfWork, rows: list[Any]) -> list[OpenQuestion]:
    """The rows as open questions, each with the answer saved so far."""
    questionnaire_ids = list({row.questionnaire_id for row in rows})
    responses = responses_by_question(uow.session, questionnaire_ids)
    questions = []
    for row in rows:
        response = responses.get((row.questionnaire_id, str(row.CollectionDataGap.id)))
        answer = response.value.get("answer") if response is not None else None
        question = question_row(row, answer)
        if question is not None:
            questions.append(question)
    return questions


def list_open_questions(uow: UnitOfWork, flow_id: str, **filters: Any) -> OpenQuestions:
    """The flow's open questions matching the filters, by asset name, priority and attribute,
    up to ANSWER_GRID_MAX_ROWS."""
    uow.require(Action.VIEW)
    wanted = parse_input(OpenQuestionFilters, filters).stored()
    flow = uow.flow(flow_id)
    limit = get_settings().answer_grid_max_rows
    rows, matching = matching_rows(uow, flow.id, wanted, limit)
    return OpenQuestions(with_answers(uow, rows), matching, limit)


def list_owners(uow: UnitOfWork, flow_id: str) -> list[str]:
    """The email of everyone who owns an open question of the flow (as requests mail them)."""
    uow.require(Action.VIEW)
    keys = uow.open_questions.owner_keys(uow.flow(flow_id).id, OpenQuestionFilter())
    emails = {_owner_email(row.field_name, row) for row in keys}
    return sorted(email for email in emails if email is not None)


@dataclass(frozen=True)
class Unanswered:
    questions: int
    critical: int


def count_unanswered(uow: UnitOfWork, flow_id: str) -> Unanswered:
    """How many open questions of the flow have no answer yet, and how many are critical."""
    uow.require(Action.VIEW)
    flow = uow.flow(flow_id)
    answered = uow.open_questions.answered(flow.id)
    left = [
        priority
        for gap_id, questionnaire_id, priority in uow.open_questions.keys(flow.id)
        if (questionnaire_id, str(gap_id)) not in answered
    ]
    return Unanswered(len(left), sum(1 for priority in left if priority == 1))


def gap_ids(values: list[str]) -> list[uuid.UUID]:
    """The question ids that are ids at all (others are simply not open questions)."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found
