"""Assets of one tenant: batched reads for scans and exports, bulk upserts for imports."""

import json
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import String, Uuid, any_, bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from core.catalogue.attributes import TYPED_ASSET_FIELDS
from core.storage.bulk_upsert import upsert_arrays
from core.storage.dialect import advisory_lock, insert, is_postgresql
from core.storage.tenant_repository import TenantRepository
from db.models import Asset

IN_LIST_CHUNK = 1000
# What a gap scan reads of an asset: no timestamps, no ORM objects.
_SCAN_COLUMNS = [Asset.id, Asset.name, Asset.asset_type, Asset.custom_attributes] + [
    getattr(Asset, name) for name in sorted(TYPED_ASSET_FIELDS)
]


class AssetRepository(TenantRepository):
    def _ids_in(self, column: Any, ids: Sequence[uuid.UUID]) -> Any:
        """`column IN ids`; on PostgreSQL one array parameter instead of one per id."""
        if is_postgresql(self.db):
            return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid)))
        return column.in_(ids)

    def existing_ids(self, asset_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
        found: set[uuid.UUID] = set()
        for chunk in _chunks(asset_ids, IN_LIST_CHUNK):
            query = self._scoped(select(Asset.id), Asset).where(self._ids_in(Asset.id, chunk))
            found.update(self.db.scalars(query))
        return found

    def unknown_ids(self, asset_ids: Sequence[str]) -> tuple[int, str | None]:
        """How many of the ids (canonical UUID text) name no asset of the engagement, and the
        least of them: one anti-join in the database, the ids sent as one parameter."""
        tenant = {"client": self.client_account_id, "engagement": self.engagement_id}
        if is_postgresql(self.db):
            query = text(
                "SELECT count(*), min(s.id::text)"
                " FROM unnest(string_to_array(:ids, ',')::uuid[]) AS s(id)"
                " WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = s.id"
                " AND a.client_account_id = :client AND a.engagement_id = :engagement)"
            )
            given = ",".join(asset_ids)
        else:  # SQLite keeps a UUID as its 32 hex digits
            query = text(
                "SELECT count(*), min(s.value) FROM json_each(:ids) AS s"
                " WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.id = replace(s.value, '-', '')"
                " AND a.client_account_id = :client AND a.engagement_id = :engagement)"
            )
            given = json.dumps(list(asset_ids))
        query = query.bindparams(
            bindparam("client", type_=Uuid), bindparam("engagement", type_=Uuid)
        )
        unknown, least = self.db.execute(query, {"ids": given, **tenant}).one()
        return int(unknown), least

    def iter_selected_by_name(
        self, asset_ids: Sequence[str], *, batch_size: int = 1000
    ) -> Iterator[Asset]:
        """The assets with these ids (canonical UUID text) in name order, from a server-side
        cursor: an export of 100,000 holds one batch of them at a time."""
        if is_postgresql(self.db):
            ids = text("SELECT unnest(string_to_array(:ids, ','))::uuid AS id")
            given = ",".join(asset_ids)
        else:  # SQLite keeps a UUID as its 32 hex digits
            ids = text("SELECT replace(value, '-', '') AS id FROM json_each(:ids)")
            given = json.dumps(list(asset_ids))
        wanted = ids.bindparams(ids=given).columns(id=Uuid)
        query = (
            self._scoped(select(Asset), Asset)
            .where(Asset.id.in_(wanted))
            .order_by(Asset.name, Asset.id)
        )
        yield from self.db.scalars(query.execution_options(yield_per=batch_size))

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

    def iter_ids(self, batch_size: int = 10_000) -> Iterator[uuid.UUID]:
        """Every asset id of the engagement, from a server-side cursor (the prediction model's
        sample is drawn from them)."""
        query = self._scoped(select(Asset.id), Asset)
        yield from self.db.scalars(query.execution_options(yield_per=batch_size))

    def fingerprint(self) -> tuple[int, Any]:
        """(how many assets, when one last changed): a model trained on them is still current
        while this is unchanged."""
        query = self._scoped(select(func.count(Asset.id), func.max(Asset.updated_at)), Asset)
        count, changed = self.db.execute(query).one()
        return int(count), changed

    def get(self, asset_id: uuid.UUID) -> Asset | None:
        return self.db.scalars(
            self._scoped(select(Asset), Asset).where(Asset.id == asset_id)
        ).first()

    def has_assets(self) -> bool:
        """Whether the engagement has an asset at all."""
        query = self._scoped(select(Asset.id), Asset).limit(1)
        return self.db.execute(query).first() is not None

    def lock_for_import(self) -> None:
        """Serialize imports of this engagement until the transaction ends (PostgreSQL;
        SQLite's BEGIN IMMEDIATE already serializes every writer)."""
        advisory_lock(self.db, f"asset_import:{self.client_account_id}:{self.engagement_id}")

    def rows_by_name(
        self, names: Sequence[str], columns: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Any]:
        """Plain rows (name plus `columns`) of the assets with these names."""
        selected = [Asset.__table__.c.name, *(Asset.__table__.c[name] for name in columns)]
        postgres = is_postgresql(self.db)
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

    def rows_by_name_prefix(
        self, prefixes: Sequence[str], columns: Sequence[str], *, for_update: bool = False
    ) -> dict[str, Any]:
        """Plain rows of the assets whose name starts with one of `prefixes` (a short name
        and its dot: "web-01." finds "web-01.corp.example.com")."""
        selected = [Asset.__table__.c.name, *(Asset.__table__.c[name] for name in columns)]
        found: dict[str, Any] = {}
        for chunk in _chunks(prefixes, 200):
            escaped = [
                p.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for p in chunk
            ]
            wanted = or_(*(Asset.name.like(pattern, escape="\\") for pattern in escaped))
            query = self._scoped(select(*selected), Asset).where(wanted)
            if for_update:
                query = query.with_for_update(of=Asset.__table__)
            found.update((row.name, row) for row in self.db.execute(query))
        return found

    def upsert_by_name(
        self,
        rows: Sequence[dict[str, Any]],
        update_columns: Sequence[str],
        constants: dict[str, Any],
    ) -> None:
        """INSERT .. ON CONFLICT (tenant, name) DO UPDATE the given columns, in one statement.

        Every row carries the same keys; `constants` hold the columns of one value for all
        (the import's moment as `created_at` and `updated_at`, its file and person). `id` and
        `created_at` only count for new assets.
        """
        if not rows:
            return
        tenant = {"client_account_id": self.client_account_id, "engagement_id": self.engagement_id}
        updated = [*update_columns, *(c for c in constants if c != "created_at")]
        if is_postgresql(self.db):
            upsert_arrays(
                self.db,
                Asset.__table__,
                {key: [row[key] for row in rows] for key in rows[0]},
                {**tenant, **constants},
                ["client_account_id", "engagement_id", "name"],
                updated,
            )
            return
        # The Core table, not the ORM entity: no per-row ORM bookkeeping for bulk imports.
        upsert = insert(self.db, Asset.__table__)
        statement = upsert.on_conflict_do_update(
            index_elements=["client_account_id", "engagement_id", "name"],
            set_={column: upsert.excluded[column] for column in updated},
        )
        # On the session's connection: a Core executemany, no ORM execution machinery.
        self.db.connection().execute(statement, [{**row, **tenant, **constants} for row in rows])


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
