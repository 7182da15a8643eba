"""Questionnaires of one tenant's flows."""

import uuid

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import CollectionFlow, Questionnaire


class QuestionnaireRepository(TenantRepository):
    def for_flow(self, collection_flow_id: uuid.UUID) -> list[Questionnaire]:
        query = self._scoped(
            select(Questionnaire).join(
                CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id
            ),
            CollectionFlow,
        ).where(Questionnaire.collection_flow_id == collection_flow_id)
        return list(self.db.scalars(query.order_by(Questionnaire.title)))
