"""Data gaps of one tenant's flows."""

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, select, update

from core.storage.tenant_repository import TenantRepository
from db.models import Asset, CollectionDataGap, CollectionFlow, GapCount
from db.types import utcnow


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

    def iter_with_asset_names(
        self, collection_flow_id: uuid.UUID, *, batch_size: int = 2000
    ) -> Iterator[Any]:
        """Every gap of the flow as a plain row with its asset's name (`asset_name`), in
        (asset name, priority, attribute) order, read in batches from a server-side cursor: an
        export of 700,000 gaps holds one batch at a time."""
        columns = [column for column in CollectionDataGap.__table__.columns]
        query = (
            self._gaps()
            .join(Asset, Asset.id == CollectionDataGap.asset_id)
            .with_only_columns(*columns, Asset.name.label("asset_name"))
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .order_by(
                Asset.name,
                CollectionDataGap.priority,
                CollectionDataGap.field_name,
                CollectionDataGap.id,
            )
        )
        yield from self.db.execute(query.execution_options(yield_per=batch_size))

    def iter_pending_by_asset(
        self, collection_flow_id: uuid.UUID, *, batch_size: int = 5000
    ) -> Iterator[Any]:
        """The flow's pending gaps as plain rows with their asset's name, asset after asset (in
        ix_gaps_flow_asset's order), from a server-side cursor: questionnaire generation over
        700,000 gaps holds one batch and one asset's gaps at a time."""
        query = (
            self._gaps()
            .outerjoin(Asset, Asset.id == CollectionDataGap.asset_id)
            .with_only_columns(
                CollectionDataGap.id,
                CollectionDataGap.asset_id,
                CollectionDataGap.field_name,
                CollectionDataGap.gap_type,
                CollectionDataGap.priority,
                CollectionDataGap.predicted_value,
                CollectionDataGap.confidence_score,
                CollectionDataGap.ai_suggestions,
                Asset.name.label("asset_name"),
            )
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .where(CollectionDataGap.resolution_status == "pending")
            .order_by(
                CollectionDataGap.asset_id, CollectionDataGap.priority, CollectionDataGap.field_name
            )
        )
        yield from self.db.execute(query.execution_options(yield_per=batch_size))

    def count_assets_with_pending(self, collection_flow_id: uuid.UUID) -> int:
        """Assets of the flow with a pending gap (the questionnaires a generation builds)."""
        query = (
            self._gaps()
            .with_only_columns(func.count(func.distinct(CollectionDataGap.asset_id)))
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .where(CollectionDataGap.resolution_status == "pending")
        )
        return int(self.db.scalar(query) or 0)

    def count_pending(self, collection_flow_id: uuid.UUID, *, max_priority: int = 4) -> int:
        """Pending gaps of the flow up to `max_priority`, from the counts kept with the gaps."""
        query = (
            self._scoped(select(func.sum(GapCount.gaps)), GapCount)
            .where(GapCount.collection_flow_id == collection_flow_id)
            .where(GapCount.resolution_status == "pending")
            .where(GapCount.priority <= max_priority)
        )
        return int(self.db.scalar(query) or 0)

    def skip_pending(self, collection_flow_id: uuid.UUID) -> int:
        """Mark every pending gap of the flow skipped, in one statement; how many were."""
        owned = self._scoped(select(CollectionFlow.id), CollectionFlow).where(
            CollectionFlow.id == collection_flow_id
        )
        if self.db.scalar(owned) is None:
            return 0
        result = self.db.execute(
            update(CollectionDataGap)
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .where(CollectionDataGap.resolution_status == "pending")
            .values(resolution_status="skipped", updated_at=utcnow())
            .execution_options(synchronize_session="evaluate")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def for_asset(self, asset_id: uuid.UUID) -> list[tuple[CollectionDataGap, Any]]:
        """Every gap of one asset in this tenant's flows, with its flow's flow_id, name and
        phase (not the flow's row, whose selection is megabytes of JSON at a whole estate),
        by flow then priority."""
        flow = (CollectionFlow.flow_id, CollectionFlow.flow_name, CollectionFlow.current_phase)
        query = self._scoped(
            select(CollectionDataGap, *flow).join(
                CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
            ),
            CollectionFlow,
        ).where(CollectionDataGap.asset_id == asset_id)
        order = (CollectionFlow.flow_name, CollectionDataGap.priority, CollectionDataGap.field_name)
        return [(row[0], row[1:]) for row in self.db.execute(query.order_by(*order))]
