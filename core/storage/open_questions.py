"""A flow's open questions (pending gaps that have a questionnaire) with their asset and owner.

The owner is worked out in SQL, so that filtering by owner pages in the database: the asset's
technical owner for the attributes given as `technical_fields`, its business owner for the
others, the other one when that is blank or a placeholder (core/questionnaires/owners.py says
the same in Python).
"""

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select

from core.catalogue.text_values import PLACEHOLDERS
from core.storage.tenant_repository import TenantRepository
from db.models import (
    Asset,
    CollectionDataGap,
    CollectionFlow,
    Questionnaire,
    QuestionnaireResponse,
)


@dataclass(frozen=True)
class OpenQuestionFilter:
    """Which open questions: empty fields filter nothing."""

    technical_fields: frozenset[str]
    asset_name_contains: str = ""
    field_names: Sequence[str] = ()
    priorities: Sequence[int] = ()
    owner: str | None = None  # one owner, exactly as shown
    without_owner: bool = False


def _named(column: Any) -> ColumnElement[Any]:
    """The column's text, NULL when blank or a placeholder."""
    trimmed = func.trim(column)
    return case((func.lower(func.coalesce(trimmed, "")).in_(PLACEHOLDERS), None), else_=trimmed)


def owner_column(technical_fields: Collection[str]) -> ColumnElement[Any]:
    technical, business = _named(Asset.technical_owner), _named(Asset.business_owner)
    if not technical_fields:
        return func.coalesce(business, technical)
    return case(
        (
            CollectionDataGap.field_name.in_(sorted(technical_fields)),
            func.coalesce(technical, business),
        ),
        else_=func.coalesce(business, technical),
    )


class OpenQuestionRepository(TenantRepository):
    def _matching(self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter) -> Select:
        owner = owner_column(wanted.technical_fields)
        query = self._scoped(
            select(
                CollectionDataGap,
                Asset.name.label("asset_name"),
                Questionnaire.id.label("questionnaire_id"),
                owner.label("owner"),
            )
            .join(CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id)
            .join(
                Questionnaire,
                and_(
                    Questionnaire.collection_flow_id == CollectionDataGap.collection_flow_id,
                    Questionnaire.asset_id == CollectionDataGap.asset_id,
                ),
            )
            .join(Asset, Asset.id == CollectionDataGap.asset_id),
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
        if wanted.without_owner:
            query = query.where(owner.is_(None))
        elif wanted.owner:
            query = query.where(owner == literal(wanted.owner))
        return query

    def page(
        self, collection_flow_id: uuid.UUID, wanted: OpenQuestionFilter, limit: int
    ) -> list[Any]:
        """Up to `limit` rows (gap, asset_name, questionnaire_id, owner), by asset name,
        priority and attribute."""
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
        wanted = OpenQuestionFilter(frozenset())
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

    def owners(self, collection_flow_id: uuid.UUID, technical_fields: frozenset[str]) -> list[str]:
        """Every owner with open questions in the flow, by name."""
        wanted = OpenQuestionFilter(technical_fields)
        owner = owner_column(technical_fields)
        query = (
            self._matching(collection_flow_id, wanted)
            .with_only_columns(owner.label("owner"))
            .where(owner.is_not(None))
            .distinct()
        )
        return sorted(self.db.scalars(query), key=str.lower)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
