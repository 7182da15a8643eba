"""Questionnaires of one tenant's flows."""

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import Asset, CollectionFlow, Questionnaire


class QuestionnaireRepository(TenantRepository):
    def for_flow(self, collection_flow_id: uuid.UUID) -> list[Questionnaire]:
        query = self._scoped(
            select(Questionnaire).join(
                CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id
            ),
            CollectionFlow,
        ).where(Questionnaire.collection_flow_id == collection_flow_id)
        return list(self.db.scalars(query.order_by(Questionnaire.title)))

    def iter_with_asset_names(
        self, collection_flow_id: uuid.UUID, *, batch_size: int = 500
    ) -> Iterator[list[Any]]:
        """The flow's questionnaires in title order as plain rows (id, title, status, questions,
        asset_name), in batches from a server-side cursor (an export of 100,000 holds one)."""
        query = (
            self._scoped(
                select(
                    Questionnaire.id,
                    Questionnaire.title,
                    Questionnaire.status,
                    Questionnaire.questions,
                    Asset.name.label("asset_name"),
                )
                .join(CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id)
                .outerjoin(Asset, Asset.id == Questionnaire.asset_id),
                CollectionFlow,
            )
            .where(Questionnaire.collection_flow_id == collection_flow_id)
            .order_by(Questionnaire.title, Questionnaire.id)
        )
        result = self.db.execute(query.execution_options(yield_per=batch_size))
        for batch in result.partitions():
            yield list(batch)
