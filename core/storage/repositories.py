"""Tenant-scoped repositories: every query filters by client account and engagement here."""

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, Uuid, any_, bindparam, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from core.catalogue.attributes import TYPED_ASSET_FIELDS
from db.models import (
    Asset,
    AuditEvent,
    CollectionDataGap,
    CollectionFlow,
    MasterFlow,
    Questionnaire,
)
from db.session import bind_tenant

IN_LIST_CHUNK = 1000
# What a gap scan reads of an asset: no timestamps, no ORM objects.
_SCAN_COLUMNS = [Asset.id, Asset.name, Asset.asset_type, Asset.custom_attributes] + [
    getattr(Asset, name) for name in sorted(TYPED_ASSET_FIELDS)
]


class TenantRepository:
    """Filters every query by tenant, and binds the session to the tenant so PostgreSQL's
    row-level security (migration 0002) refuses whatever a query forgets to filter."""

    def __init__(self, db: Session, client_account_id: uuid.UUID, engagement_id: uuid.UUID):
        self.db = db
        self.client_account_id = client_account_id
        self.engagement_id = engagement_id
        bind_tenant(db, client_account_id, engagement_id)

    def _scoped(self, query: Select, model: Any) -> Select:
        # Several repositories of different tenants may share a session: rebind on use.
        bind_tenant(self.db, self.client_account_id, self.engagement_id)
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
        bind_tenant(self.db, self.client_account_id, self.engagement_id)
        self.db.add(master)
        self.db.flush()
        self.db.add(child)


class AssetRepository(TenantRepository):
    def _ids_in(self, column: Any, ids: Sequence[uuid.UUID]) -> Any:
        """`column IN ids`; on PostgreSQL one array parameter instead of one per id."""
        if self.db.get_bind().dialect.name == "postgresql":
            return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid)))
        return column.in_(ids)

    def existing_ids(self, asset_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(Asset.id), Asset).where(self._ids_in(Asset.id, chunk))
            found.update(self.db.scalars(query))
        return found

    def iter_by_ids(self, asset_ids: Sequence[uuid.UUID]) -> Iterator[list[Asset]]:
        """Batches of assets, so a scan of many thousands holds one batch at a time."""
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(Asset), Asset).where(self._ids_in(Asset.id, chunk))
            batch = list(self.db.scalars(query))
            yield batch
            for asset in batch:
                self.db.expunge(asset)

    def iter_scan_rows(self, asset_ids: Sequence[uuid.UUID]) -> Iterator[list[Any]]:
        """Batches of plain rows with what a gap scan reads; no ORM objects for big scans."""
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(*_SCAN_COLUMNS), Asset).where(self._ids_in(Asset.id, chunk))
            yield list(self.db.execute(query))

    def iter_scan_rows_of_type(
        self, asset_type: str, batch_size: int = 2000
    ) -> Iterator[list[Any]]:
        """Every asset of one type as plain rows, in batches (peer statistics)."""
        query = self._scoped(select(*_SCAN_COLUMNS), Asset).where(Asset.asset_type == asset_type)
        result = self.db.execute(query.execution_options(yield_per=batch_size))
        yield from result.partitions()

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

    def has_assets(self) -> bool:
        """Whether the engagement has an asset at all."""
        query = self._scoped(select(Asset.id), Asset).limit(1)
        return self.db.execute(query).first() is not None

    def lock_for_import(self) -> None:
        """Serialize imports of this engagement until the transaction ends (PostgreSQL;
        SQLite's BEGIN IMMEDIATE already serializes every writer)."""
        if self.db.get_bind().dialect.name == "postgresql":
            key = f"asset_import:{self.client_account_id}:{self.engagement_id}"
            self.db.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )

    def rows_by_name(
        self, names: Sequence[str], columns: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Any]:
        """Plain rows (name plus `columns`) of the assets with these names."""
        selected = [Asset.__table__.c.name, *(Asset.__table__.c[name] for name in columns)]
        postgres = self.db.get_bind().dialect.name == "postgresql"
        found: dict[str, Any] = {}
        for chunk in _chunks(names, IN_LIST_CHUNK):
            query = self._scoped(select(*selected), Asset)
            if postgres:
                # A join on unnest(array) looks each name up in uq_assets_name. "name IN (..)"
                # becomes a linear filter over the whole engagement once psycopg prepares the
                # statement and PostgreSQL picks a generic plan on a freshly loaded table.
                wanted = (
                    func.unnest(bindparam("names", list(chunk), type_=ARRAY(String)))
                    .table_valued("name")
                    .render_derived()
                )
                query = query.join(wanted, Asset.name == wanted.c.name)
            else:
                query = query.where(Asset.name.in_(chunk))
            if for_update:
                query = query.with_for_update(of=Asset.__table__)
            found.update((row.name, row) for row in self.db.execute(query))
        return found

    def upsert_by_name(self, rows: Sequence[dict[str, Any]], update_columns: Sequence[str]) -> None:
        """INSERT .. ON CONFLICT (tenant, name) DO UPDATE the given columns, in one statement.

        Every row carries the same keys; `id` and `created_at` only count for new assets.
        """
        if not rows:
            return
        dialect = self.db.get_bind().dialect.name
        # The Core table, not the ORM entity: no per-row ORM bookkeeping for bulk imports.
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Asset.__table__)
        statement = insert.on_conflict_do_update(
            index_elements=["client_account_id", "engagement_id", "name"],
            set_={column: insert.excluded[column] for column in (*update_columns, "updated_at")},
        )
        tenant = {"client_account_id": self.client_account_id, "engagement_id": self.engagement_id}
        # On the session's connection: a Core executemany, no ORM execution machinery.
        self.db.connection().execute(statement, [{**row, **tenant} for row in rows])


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


class AuditRepository(TenantRepository):
    def add(self, event: AuditEvent) -> None:
        event.client_account_id = self.client_account_id
        event.engagement_id = self.engagement_id
        bind_tenant(self.db, self.client_account_id, self.engagement_id)
        self.db.add(event)

    def list_events(
        self,
        *,
        actions: Sequence[str] = (),
        flow_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[AuditEvent]:
        query = self._scoped(select(AuditEvent), AuditEvent)
        if actions:
            query = query.where(AuditEvent.action.in_(actions))
        if flow_id is not None:
            query = query.where(AuditEvent.flow_id == flow_id)
        if user_id is not None:
            query = query.where(AuditEvent.user_id == user_id)
        if since is not None:
            query = query.where(AuditEvent.occurred_at >= since)
        if until is not None:
            query = query.where(AuditEvent.occurred_at < until)
        order = (AuditEvent.occurred_at.desc(), AuditEvent.id)
        return list(self.db.scalars(query.order_by(*order).limit(limit).offset(offset)))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
