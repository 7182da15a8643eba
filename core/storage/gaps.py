"""Data gaps of one tenant's flows."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select

from core.storage.tenant_repository import TenantRepository
from db.models import CollectionDataGap, CollectionFlow


class GapRepository(TenantRepository):
    """Gaps carry no tenant ids of their own; they are scoped through their flow."""

    def _gaps(self) -> Select:
        return self._scoped(
            select(CollectionDataGap).join(
                CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
            ),
            CollectionFlow,
        )

    def for_flow(
        self,
        collection_flow_id: uuid.UUID,
        *,
        statuses: Sequence[str] = (),
        priorities: Sequence[int] = (),
        asset_ids: Sequence[uuid.UUID] = (),
    ) -> list[CollectionDataGap]:
        query = self._gaps().where(CollectionDataGap.collection_flow_id == collection_flow_id)
        if statuses:
            query = query.where(CollectionDataGap.resolution_status.in_(statuses))
        if priorities:
            query = query.where(CollectionDataGap.priority.in_(priorities))
        if asset_ids:
            query = query.where(CollectionDataGap.asset_id.in_(asset_ids))
        order = (
            CollectionDataGap.asset_id,
            CollectionDataGap.priority,
            CollectionDataGap.field_name,
        )
        return list(self.db.scalars(query.order_by(*order)))

    def count_pending(self, collection_flow_id: uuid.UUID, *, max_priority: int = 4) -> int:
        query = (
            self._gaps()
            .with_only_columns(func.count())
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .where(CollectionDataGap.resolution_status == "pending")
            .where(CollectionDataGap.priority <= max_priority)
        )
        return self.db.scalar(query) or 0

    def for_asset(self, asset_id: uuid.UUID) -> list[tuple[CollectionDataGap, CollectionFlow]]:
        """Every gap of one asset in this tenant's flows, with its flow, by flow then priority."""
        query = self._scoped(
            select(CollectionDataGap, CollectionFlow).join(
                CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
            ),
            CollectionFlow,
        ).where(CollectionDataGap.asset_id == asset_id)
        order = (CollectionFlow.flow_name, CollectionDataGap.priority, CollectionDataGap.field_name)
        return [(row[0], row[1]) for row in self.db.execute(query.order_by(*order))]
