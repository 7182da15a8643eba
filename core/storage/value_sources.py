"""Where each asset value came from (import row, answer, accepted prediction), per tenant.

An import writes where it got an asset's values on the asset itself, once (its import origin:
file, row, who, when, which attributes); a row of asset_value_sources names the source of a
value where that is anything else, and wins over the origin. An import drops the rows of the
values it replaces (core.inventory.provenance), so a row is newer than the origin it beats.
"""

import uuid
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Uuid, any_, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from core.storage.bulk_upsert import NEW_ID, upsert_arrays
from core.storage.dialect import insert, is_postgresql
from core.storage.tenant_repository import TenantRepository
from db.models import Asset, AssetValueSource
from db.types import utcnow


class SourceKind(StrEnum):
    IMPORT = "import"
    ANSWER = "answer"
    ACCEPTED_PREDICTION = "accepted_prediction"


IN_LIST_CHUNK = 1000
# Values people gave: a later import does not silently replace them.
PEOPLE_SOURCES = frozenset({SourceKind.ANSWER, SourceKind.ACCEPTED_PREDICTION})
# An engagement's source order (engagements.import_precedence): which value a later import
# keeps where people gave one.
ANSWERS_WIN = "answers"
NEWEST_IMPORT_WINS = "newest_import"
SOURCE_ORDERS = {
    ANSWERS_WIN: "People's answers win (a different value in a file is reported)",
    NEWEST_IMPORT_WINS: "The newest import wins (the answers it replaces are reported)",
}
# What a new source of a value replaces of the old one.
_UPDATED = [
    "source_kind", "source_detail", "recorded_by", "confidence", "recorded_at", "source_file",
    "source_row",
]  # fmt: skip


@dataclass(frozen=True)
class ValueSource:
    asset_id: uuid.UUID
    field_name: str
    kind: SourceKind
    detail: str = ""
    recorded_by: uuid.UUID | None = None
    confidence: float | None = None
    recorded_at: datetime | None = None
    file: str | None = None  # an imported value's file and row
    row: int | None = None

    def describe(self) -> str:
        """The source in words: 'imported (inventory.csv row 12)', 'answered (...)'."""
        words = {
            SourceKind.IMPORT: "imported",
            SourceKind.ANSWER: "answered",
            SourceKind.ACCEPTED_PREDICTION: "accepted prediction",
        }[self.kind]
        return f"{words} ({self.detail})" if self.detail else words


MAX_FILE_NAME = 255


def imported(
    asset_id: uuid.UUID, field_name: str, filename: str, row: int, by: uuid.UUID | None
) -> ValueSource:
    """A value imported from a file's row; its detail reads "cmdb.csv row 12"."""
    name = filename[:MAX_FILE_NAME]
    return ValueSource(
        asset_id, field_name, SourceKind.IMPORT, f"{name} row {row}", by, file=name, row=row
    )


class ValueSourceRepository(TenantRepository):
    def record(self, sources: Sequence[ValueSource]) -> None:
        """Upsert the current source of each (asset, attribute)."""
        if not sources:
            return
        now = utcnow()
        upsert = insert(self.db, AssetValueSource.__table__)
        statement = upsert.on_conflict_do_update(
            index_elements=["asset_id", "field_name"],
            set_={column: upsert.excluded[column] for column in _UPDATED},
        )
        rows = [
            {
                "id": uuid.uuid4(),
                "client_account_id": self.client_account_id,
                "engagement_id": self.engagement_id,
                "asset_id": source.asset_id,
                "field_name": source.field_name,
                "source_kind": source.kind.value,
                "source_detail": source.detail[:500],
                "recorded_by": source.recorded_by,
                "confidence": source.confidence,
                "recorded_at": source.recorded_at or now,
                "source_file": source.file,
                "source_row": source.row,
            }
            for source in sources
        ]
        self.db.connection().execute(statement, rows)

    def record_imported(
        self, values: Sequence[tuple[uuid.UUID, str, str, int]], recorded_by: uuid.UUID | None
    ) -> None:
        """Each (asset, attribute, file, row) is now "imported" (by `recorded_by`, now)."""
        if not values or not is_postgresql(self.db):
            self.record([imported(*value, recorded_by) for value in values])
            return
        asset_ids, fields, files, rows = zip(*values, strict=True)
        names = [file[:MAX_FILE_NAME] for file in files]
        upsert_arrays(
            self.db,
            AssetValueSource.__table__,
            {
                "asset_id": asset_ids,
                "field_name": fields,
                "source_detail": [
                    f"{name} row {row}" for name, row in zip(names, rows, strict=True)
                ],
                "source_file": names,
                "source_row": rows,
            },
            {
                "id": NEW_ID,
                "client_account_id": self.client_account_id,
                "engagement_id": self.engagement_id,
                "source_kind": SourceKind.IMPORT.value,
                "recorded_by": recorded_by,
                "confidence": None,
                "recorded_at": utcnow(),
            },
            ["asset_id", "field_name"],
            _UPDATED,
        )

    def import_files(self, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The file each of these assets was imported from (its last import), by asset id."""
        files: dict[uuid.UUID, str] = {}
        ids = list(asset_ids)
        postgres = is_postgresql(self.db)
        for start in range(0, len(ids), IN_LIST_CHUNK):
            chunk = ids[start : start + IN_LIST_CHUNK]
            query = self._scoped(
                select(AssetValueSource.asset_id, AssetValueSource.source_file), AssetValueSource
            ).where(
                AssetValueSource.source_kind == SourceKind.IMPORT.value,
                AssetValueSource.source_file.is_not(None),
                _among(AssetValueSource.asset_id, chunk, postgres),
            )
            files.update((asset_id, file) for asset_id, file in self.db.execute(query))
            origins = self._scoped(select(Asset.id, Asset.import_file), Asset).where(
                Asset.import_file.is_not(None), _among(Asset.id, chunk, postgres)
            )
            files.update((asset_id, file) for asset_id, file in self.db.execute(origins))
        return files

    def for_assets(
        self, asset_ids: Sequence[uuid.UUID], kinds: Collection[SourceKind] | None = None
    ) -> dict[tuple[uuid.UUID, str], ValueSource]:
        """The current sources of these assets' values (of these kinds, or any), by (asset id,
        attribute): a row of asset_value_sources, else the asset's import origin."""
        if kinds is not None and SourceKind.IMPORT not in kinds:
            return self._rows_for(asset_ids, kinds)  # import origins cannot be among them
        found = self._rows_for(asset_ids)
        for source in self._origins_of(asset_ids):
            found.setdefault((source.asset_id, source.field_name), source)
        if kinds is None:
            return found
        return {key: source for key, source in found.items() if source.kind in kinds}

    def replace_origins(self, assets: Sequence[tuple[uuid.UUID, set[str], Any]]) -> None:
        """Before an import writes assets' new origins, (asset id, attributes the new origin
        gives, the asset as stored): rows naming another source of those attributes are
        dropped (the import replaced those values); attributes only the old origin gave keep
        it as a row of their own."""
        ids = [asset_id for asset_id, _, _ in assets]
        named = self._rows_for(ids)
        given = {asset_id: fields for asset_id, fields, _ in assets}
        dropped = [(asset_id, field) for asset_id, field in named if field in given[asset_id]]
        kept_old = [
            _origin_source(asset_id, field, stored)
            for asset_id, fields, stored in assets
            if stored.import_file is not None
            for field in stored.imported_fields or []
            if field not in fields and (asset_id, field) not in named
        ]
        self._delete(dropped)
        self.record(kept_old)

    def _delete(self, keys: Sequence[tuple[uuid.UUID, str]]) -> None:
        if not keys:
            return
        statement = delete(AssetValueSource).where(
            AssetValueSource.asset_id == bindparam("asset"),
            AssetValueSource.field_name == bindparam("field"),
        )
        self.db.connection().execute(
            statement, [{"asset": asset_id, "field": field} for asset_id, field in keys]
        )

    def _origins_of(self, asset_ids: Sequence[uuid.UUID]) -> Iterator[ValueSource]:
        """The values each asset's import origin gives, as sources."""
        ids = list(asset_ids)
        for start in range(0, len(ids), IN_LIST_CHUNK):
            chunk = ids[start : start + IN_LIST_CHUNK]
            wanted = (
                Asset.id == any_(bindparam("ids", chunk, type_=ARRAY(Uuid)))
                if is_postgresql(self.db)
                else Asset.id.in_(chunk)
            )
            query = self._scoped(select(*_ORIGIN), Asset).where(
                wanted, Asset.import_file.is_not(None)
            )
            for stored in self.db.execute(query):
                for field in stored.imported_fields or []:
                    yield _origin_source(stored.id, field, stored)

    def _rows_for(
        self, asset_ids: Sequence[uuid.UUID], kinds: Collection[SourceKind] | None = None
    ) -> dict[tuple[uuid.UUID, str], ValueSource]:
        """The sources rows of asset_value_sources name for these assets."""
        found: dict[tuple[uuid.UUID, str], ValueSource] = {}
        ids = list(asset_ids)
        postgres = is_postgresql(self.db)
        for start in range(0, len(ids), IN_LIST_CHUNK):
            chunk = ids[start : start + IN_LIST_CHUNK]
            query = self._scoped(select(AssetValueSource), AssetValueSource)
            if postgres:
                # A join on unnest(array) looks each asset up in uq_asset_value_source; an IN
                # list becomes a scan of the engagement's sources under a generic plan.
                wanted = (
                    func.unnest(bindparam("ids", chunk, type_=ARRAY(Uuid)))
                    .table_valued("asset_id")
                    .render_derived()
                )
                query = query.join(wanted, AssetValueSource.asset_id == wanted.c.asset_id)
            else:
                query = query.where(AssetValueSource.asset_id.in_(chunk))
            if kinds is not None:
                query = query.where(AssetValueSource.source_kind.in_([k.value for k in kinds]))
            for row in self.db.scalars(query):
                found[(row.asset_id, row.field_name)] = ValueSource(
                    row.asset_id,
                    row.field_name,
                    SourceKind(row.source_kind),
                    row.source_detail,
                    row.recorded_by,
                    row.confidence,
                    row.recorded_at,
                    row.source_file,
                    row.source_row,
                )
        return found


# What an asset's import origin is read from: the columns an import writes on it.
_ORIGIN = [
    Asset.id, Asset.import_file, Asset.import_row, Asset.imported_by, Asset.imported_at,
    Asset.imported_fields,
]  # fmt: skip


def _origin_source(asset_id: uuid.UUID, field: str, stored: Any) -> ValueSource:
    """The source an asset's import origin gives one of its values."""
    file, row = stored.import_file, stored.import_row
    detail = f"{file} row {row}"
    return ValueSource(
        asset_id, field, SourceKind.IMPORT, detail, stored.imported_by, None,
        stored.imported_at, file, row,
    )  # fmt: skip


def _among(column: Any, ids: Sequence[uuid.UUID], postgres: bool) -> Any:
    """`column IN ids`; on PostgreSQL one array parameter, looked up by index, not an IN list
    of 1,000 parameters (a scan of the engagement's rows under a generic plan)."""
    if postgres:
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid)))
    return column.in_(ids)
