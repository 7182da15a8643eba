"""A flow's open questions (pending gaps that have a questionnaire) with their asset, the asset's
owners and whom the question was assigned to.

Who owns a question is worked out in Python (core/questionnaires/owners.py, the rule requests
to owners use too): an address is read from free text as mail headers write it, which SQL does
not say the same way. A filter by owner narrows in SQL to the questions that may be that
owner's (see `_may_be_owned`); the exact owner is then checked on those.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from core.storage.tenant_repository import TenantRepository
from db.models import (
    Asset,
    CollectionDataGap,
    CollectionFlow,
    QuestionAssignment,
    Questionnaire,
    QuestionnaireResponse,
)


@dataclass(frozen=True)
class OpenQuestionFilter:
    """Which open questions: empty fields filter nothing."""

    asset_name_contains: str = ""
    field_names: Sequence[str] = ()
    priorities: Sequence[int] = ()
    owner: str | None = None  # one owner's email
    without_owner: bool = False

    @property
    def by_owner(self) -> bool:
        return self.without_owner or bool(self.owner)


def _may_be_owned(wanted: OpenQuestionFilter) -> ColumnElement[bool]:
    """A superset of the questions the filter's owner owns (or of those nobody owns): assigned
    to them, or unassigned on an asset whose owner values mention their address."""
    if wanted.without_owner:
        return QuestionAssignment.owner_email.is_(None)
    email = (wanted.owner or "").strip().lower()
    pattern = "%" + _escaped(email) + "%"
    return or_(
        QuestionAssignment.owner_email == email,
        and_(
            QuestionAssignment.owner_email.is_(None),
            or_(
                func.lower(Asset.technical_owner).like(pattern, escape="\\"),
                func.lower(Asset.business_owner).like(pattern, escape="\\"),
            ),
        ),
    )


class OpenQuestionRepository(TenantRepository):
    def _matching(self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter) -> Select:
        query = self._scoped(
            select(
                CollectionDataGap,
                Asset.name.label("asset_name"),
                Questionnaire.id.label("questionnaire_id"),
                Asset.technical_owner,
                Asset.business_owner,
                QuestionAssignment.owner_email.label("assigned_to"),
            )
            .join(CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id)
            .join(
                Questionnaire,
                and_(
                    Questionnaire.collection_flow_id == CollectionDataGap.collection_flow_id,
                    Questionnaire.asset_id == CollectionDataGap.asset_id,
                ),
            )
            .join(Asset, Asset.id == CollectionDataGap.asset_id)
            .outerjoin(
                QuestionAssignment,
                and_(
                    QuestionAssignment.collection_flow_id == CollectionDataGap.collection_flow_id,
                    QuestionAssignment.gap_id == CollectionDataGap.id,
                ),
            ),
            CollectionFlow,
        ).where(
            CollectionDataGap.collection_flow_id == collection_flow_id,
            CollectionDataGap.resolution_status == "pending",
        )
        if wanted.asset_name_contains:
            pattern = "%" + _escaped(wanted.asset_name_contains.lower()) + "%"
            query = query.where(func.lower(Asset.name).like(pattern, escape="\\"))
        if wanted.field_names:
            query = query.where(CollectionDataGap.field_name.in_(wanted.field_names))
        if wanted.priorities:
            query = query.where(CollectionDataGap.priority.in_(wanted.priorities))
        if wanted.by_owner:
            query = query.where(_may_be_owned(wanted))
        return query

    def page(
        self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter, limit: int
    ) -> list[Any]:
        """Up to `limit` rows (gap, asset_name, questionnaire_id, technical_owner,
        business_owner, assigned_to), by asset name, priority and attribute; an owner filter
        only narrows (see `_may_be_owned`)."""
        query = self._matching(collection_flow_id, wanted).order_by(
            Asset.name, CollectionDataGap.priority, CollectionDataGap.field_name
        )
        return list(self.db.execute(query.limit(limit)))

    def by_gap_ids(
        self,
        collection_flow_id: uuid.UUID,
        gap_ids: Sequence[uuid.UUID],
        wanted: OpenQuestionFilter,
    ) -> list[Any]:
        """The open questions among these gaps (others are answered, skipped or not the flow's)."""
        rows: list[Any] = []
        for start in range(0, len(gap_ids), 1000):
            batch = gap_ids[start : start + 1000]
            query = self._matching(collection_flow_id, wanted)
            rows.extend(self.db.execute(query.where(CollectionDataGap.id.in_(batch))))
        return rows

    def keys(self, collection_flow_id: uuid.UUID) -> list[Any]:
        """(gap id, questionnaire id, priority) of every open question of the flow."""
        wanted = OpenQuestionFilter()
        query = self._matching(collection_flow_id, wanted).with_only_columns(
            CollectionDataGap.id, Questionnaire.id, CollectionDataGap.priority
        )
        return list(self.db.execute(query))

    def answered(self, collection_flow_id: uuid.UUID) -> set[tuple[uuid.UUID, str]]:
        """(questionnaire id, question id) of every answer given in the flow's questionnaires."""
        query = self._scoped(
            select(
                QuestionnaireResponse.questionnaire_id,
                QuestionnaireResponse.question_id,
                QuestionnaireResponse.value,
            )
            .join(Questionnaire, Questionnaire.id == QuestionnaireResponse.questionnaire_id)
            .join(CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id),
            CollectionFlow,
        ).where(Questionnaire.collection_flow_id == collection_flow_id)
        return {
            (row.questionnaire_id, row.question_id)
            for row in self.db.execute(query)
            if (row.value or {}).get("answer") not in (None, "")
        }

    def count(self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter) -> int:
        query = self._matching(collection_flow_id, wanted).with_only_columns(func.count())
        return self.db.scalar(query.order_by(None)) or 0

    def owner_keys(self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter) -> list[Any]:
        """(id, field_name, technical_owner, business_owner, assigned_to) of the open questions
        matching, by asset name, priority and attribute: what working out owners needs."""
        query = (
            self._matching(collection_flow_id, wanted)
            .with_only_columns(
                CollectionDataGap.id,
                CollectionDataGap.field_name,
                Asset.technical_owner,
                Asset.business_owner,
                QuestionAssignment.owner_email.label("assigned_to"),
            )
            .order_by(Asset.name, CollectionDataGap.priority, CollectionDataGap.field_name)
        )
        return list(self.db.execute(query))


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
