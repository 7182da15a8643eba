"""Tenant-scoped repositories: every query filters by client account and engagement here."""

import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from core.attributes import TYPED_ASSET_FIELDS
from db.models import Asset, CollectionDataGap, CollectionFlow, MasterFlow, Questionnaire

IN_LIST_CHUNK = 1000


class TenantRepository:
    def __init__(self, db: Session, client_account_id: uuid.UUID, engagement_id: uuid.UUID):
        self.db = db
        self.client_account_id = client_account_id
        self.engagement_id = engagement_id

    def _scoped(self, query: Select, model: Any) -> Select:
        return query.where(model.client_account_id == self.client_account_id).where(
            model.engagement_id == self.engagement_id
        )


class CollectionFlowRepository(TenantRepository):
    def get_by_master_flow_id(
        self, flow_id: uuid.UUID, *, for_update: bool = False
    ) -> CollectionFlow | None:
        query = self._scoped(select(CollectionFlow), CollectionFlow).where(
            CollectionFlow.flow_id == flow_id
        )
        if for_update:
            # Locks the child and its joined master: executions of one flow never interleave.
            query = query.with_for_update()
        return self.db.scalars(query).first()

    def get_by_id(self, collection_flow_id: uuid.UUID) -> CollectionFlow | None:
        query = self._scoped(select(CollectionFlow), CollectionFlow).where(
            CollectionFlow.id == collection_flow_id
        )
        return self.db.scalars(query).first()

    def get_master(self, flow_id: uuid.UUID) -> MasterFlow | None:
        query = self._scoped(select(MasterFlow), MasterFlow).where(MasterFlow.flow_id == flow_id)
        return self.db.scalars(query).first()

    def list_flows(
        self,
        *,
        phases: Sequence[str] = (),
        statuses: Sequence[str] = (),
        tiers: Sequence[str] = (),
        name_contains: str = "",
        limit: int = 200,
        offset: int = 0,
    ) -> list[CollectionFlow]:
        query = self._scoped(select(CollectionFlow), CollectionFlow)
        if phases:
            query = query.where(CollectionFlow.current_phase.in_(phases))
        if statuses:
            query = query.where(CollectionFlow.status.in_(statuses))
        if tiers:
            query = query.where(CollectionFlow.automation_tier.in_(tiers))
        if name_contains:
            query = query.where(
                func.lower(CollectionFlow.flow_name).contains(
                    name_contains.lower(), autoescape=True
                )
            )
        query = query.order_by(CollectionFlow.updated_at.desc()).limit(limit).offset(offset)
        return list(self.db.scalars(query))

    def add(self, master: MasterFlow, child: CollectionFlow) -> None:
        if (master.client_account_id, master.engagement_id) != (
            self.client_account_id,
            self.engagement_id,
        ) or (child.client_account_id, child.engagement_id) != (
            self.client_account_id,
            self.engagement_id,
        ):
            raise ValueError("flow belongs to another tenant")
        self.db.add(master)
        self.db.flush()
        self.db.add(child)


class AssetRepository(TenantRepository):
    def existing_ids(self, asset_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(Asset.id), Asset).where(Asset.id.in_(chunk))
            found.update(self.db.scalars(query))
        return found

    def iter_by_ids(self, asset_ids: Sequence[uuid.UUID]) -> Iterator[list[Asset]]:
        """Batches of assets, so a scan of many thousands holds one batch at a time."""
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(Asset), Asset).where(Asset.id.in_(chunk))
            batch = list(self.db.scalars(query))
            yield batch
            for asset in batch:
                self.db.expunge(asset)

    def iter_scan_rows(self, asset_ids: Sequence[uuid.UUID]) -> Iterator[list[Any]]:
        """Batches of plain rows with what a gap scan reads; no ORM objects for big scans."""
        columns = [Asset.id, Asset.name, Asset.asset_type, Asset.custom_attributes]
        columns += [getattr(Asset, name) for name in TYPED_ASSET_FIELDS]
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(*columns), Asset).where(Asset.id.in_(chunk))
            yield list(self.db.execute(query))

    def get(self, asset_id: uuid.UUID) -> Asset | None:
        return self.db.scalars(
            self._scoped(select(Asset), Asset).where(Asset.id == asset_id)
        ).first()

    def list_assets(
        self,
        *,
        asset_types: Sequence[str] = (),
        environments: Sequence[str] = (),
        name_contains: str = "",
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Asset]:
        query = self._scoped(select(Asset), Asset)
        if asset_types:
            query = query.where(Asset.asset_type.in_(asset_types))
        if environments:
            query = query.where(Asset.environment.in_(environments))
        if name_contains:
            query = query.where(
                func.lower(Asset.name).contains(name_contains.lower(), autoescape=True)
            )
        return list(self.db.scalars(query.order_by(Asset.name).limit(limit).offset(offset)))

    def peers(self, asset_type: str, exclude_id: uuid.UUID | None = None) -> list[Asset]:
        query = self._scoped(select(Asset), Asset).where(Asset.asset_type == asset_type)
        if exclude_id is not None:
            query = query.where(Asset.id != exclude_id)
        return list(self.db.scalars(query))


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

    def find(
        self, collection_flow_id: uuid.UUID, keys: Sequence[tuple[str, str, uuid.UUID]]
    ) -> list[CollectionDataGap]:
        """Gaps by their identity (field_name, gap_type, asset_id)."""
        if not keys:
            return []
        conditions = [
            (CollectionDataGap.field_name == field_name)
            & (CollectionDataGap.gap_type == gap_type)
            & (CollectionDataGap.asset_id == asset_id)
            for field_name, gap_type, asset_id in keys
        ]
        query = self._gaps().where(CollectionDataGap.collection_flow_id == collection_flow_id)
        return list(self.db.scalars(query.where(or_(*conditions))))


class QuestionnaireRepository(TenantRepository):
    def for_flow(self, collection_flow_id: uuid.UUID) -> list[Questionnaire]:
        query = self._scoped(
            select(Questionnaire).join(
                CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id
            ),
            CollectionFlow,
        ).where(Questionnaire.collection_flow_id == collection_flow_id)
        return list(self.db.scalars(query.order_by(Questionnaire.title)))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
