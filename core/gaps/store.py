"""Gap writes: every one is an upsert against (collection_flow_id, field_name, gap_type, asset_id)."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from core.storage.bulk_upsert import NEW_ID, upsert_arrays
from core.storage.dialect import insert, is_postgresql
from db.models import CollectionDataGap
from db.types import utcnow

GAP_IDENTITY = ("collection_flow_id", "field_name", "gap_type", "asset_id")


def clamp_confidence(value: Any) -> float | None:
    """[0, 1], or None when there is no score. Zero is a score, not a missing one."""
    if value is None:
        return None
    return max(0.0, min(1.0, float(value)))


def upsert_gaps(db: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert or update many gaps in one executemany; all rows must carry the same keys.

    On conflict only the given non-identity columns change: a rescan does not reopen a
    resolved gap, and an enhancement does not touch its resolution.
    """
    if not rows:
        return 0
    now = utcnow()
    if is_postgresql(db):
        _upsert_arrays(db, rows, now)
        return len(rows)
    # One copy per row (the caller's dicts stay untouched); a scan writes tens of thousands.
    prepared = [{**row, "id": uuid.uuid4(), "created_at": now, "updated_at": now} for row in rows]
    if "confidence_score" in prepared[0]:
        for row in prepared:
            row["confidence_score"] = clamp_confidence(row["confidence_score"])
    # A Core insert on the session's connection goes straight to the driver's executemany
    # (psycopg pipelines it); the ORM's bulk path adds per-row bookkeeping on top.
    statement = insert(db, CollectionDataGap.__table__)
    update_columns = [
        key for key in prepared[0] if key not in GAP_IDENTITY and key not in ("id", "created_at")
    ]
    statement = statement.on_conflict_do_update(
        index_elements=list(GAP_IDENTITY),
        set_={column: statement.excluded[column] for column in update_columns},
    )
    db.connection().execute(statement, prepared)
    return len(prepared)


def _upsert_arrays(db: Session, rows: Sequence[dict[str, Any]], now: Any) -> None:
    """PostgreSQL: one INSERT .. SELECT FROM unnest(arrays) per call, as the import writes assets;
    a scan's thousands of rows bind a dozen arrays instead of each row's values."""
    keys = list(rows[0])
    columns = {key: [row[key] for row in rows] for key in keys}
    if "confidence_score" in columns:
        columns["confidence_score"] = [clamp_confidence(v) for v in columns["confidence_score"]]
    upsert_arrays(
        db,
        CollectionDataGap.__table__,
        columns,
        # The columns' Python-side defaults, which a plain INSERT .. SELECT does not apply.
        # Times and ids the caller gave (a copy of gaps, a test's rows) are kept as given.
        {
            key: value
            for key, value in {
                **_DEFAULTS,
                "id": NEW_ID,
                "created_at": now,
                "updated_at": now,
            }.items()
            if key not in columns
        },
        list(GAP_IDENTITY),
        [key for key in keys if key not in (*GAP_IDENTITY, "id", "created_at", "updated_at")]
        + ["updated_at"],
    )


def upsert_gap(
    db: Session,
    collection_flow_id: uuid.UUID,
    field_name: str,
    gap_type: str,
    asset_id: uuid.UUID,
    enhanced_data: dict[str, Any],
) -> None:
    """Insert one gap of a flow, or update the gap the flow already has for that asset and field
    (the enhancement worker writes each gap it enhanced this way)."""
    row = {
        "collection_flow_id": collection_flow_id,
        "field_name": field_name,
        "gap_type": gap_type,
        "asset_id": asset_id,
        **{key: enhanced_data[key] for key in enhanced_data if key in _ALL_COLUMNS},
    }
    upsert_gaps(db, [row])


_DEFAULTS: dict[str, Any] = {"resolution_status": "pending", "ai_suggestions": {}}
_ALL_COLUMNS = frozenset(column.key for column in CollectionDataGap.__table__.columns) - {
    "id",
    "created_at",
    "updated_at",
}
