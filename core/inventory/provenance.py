"""What an import does to the sources of values: records its own, keeps people's answers.

A value an owner gave (an answer, an accepted prediction) is not silently replaced by a
later import: the stored value is kept for that field and the difference is reported as a
conflict to resolve. Every other value the file gives is recorded as "imported from file,
row n".
"""

import uuid
from collections.abc import Sequence
from typing import Any

from core.catalogue.attributes import CATALOGUE
from core.inventory.rows import AssetRow
from core.storage.unit_of_work import UnitOfWork
from core.storage.value_sources import (
    PEOPLE_SOURCES,
    ValueSourceRepository,
    import_detail,
)

_TYPED = {a.name: a.source_field for a in CATALOGUE if a.is_typed_column}
_CUSTOM = {a.name: a.source_field for a in CATALOGUE if not a.is_typed_column}


def sources_of(uow: UnitOfWork) -> ValueSourceRepository:
    return ValueSourceRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)


def _file_values(row: AssetRow) -> dict[str, tuple[bool, Any]]:
    """Catalogue attribute -> (whether the file has the column, its value)."""
    found: dict[str, tuple[bool, Any]] = {}
    for name, column in _TYPED.items():
        if column in row.values:
            found[name] = (True, row.values[column])
    for name, key in _CUSTOM.items():
        if key in row.custom:
            found[name] = (True, row.custom[key])
    return found


def keep_answers(
    uow: UnitOfWork, batch: Sequence[AssetRow], stored: dict[str, Any]
) -> tuple[list[dict[str, Any]], set[tuple[str, str]]]:
    """Put back the stored value wherever the file would replace one people gave. The
    conflicts, one per field whose value differs ({"row", "asset", "field", "kept",
    "in_file", "source"}), and every (asset name, field) kept."""
    ids = [stored[row.name].id for row in batch if row.name in stored]
    if not ids:
        return [], set()
    sources = sources_of(uow).for_assets(ids, PEOPLE_SOURCES)
    conflicts = []
    kept_fields: set[tuple[str, str]] = set()
    for row in batch:
        existing = stored.get(row.name)
        if existing is None:
            continue
        for name, (_, in_file) in _file_values(row).items():
            source = sources.get((existing.id, name))
            if source is None or source.kind not in PEOPLE_SOURCES:
                continue
            kept_fields.add((row.name, name))
            if name in _TYPED:
                kept = getattr(existing, _TYPED[name])
                row.values[_TYPED[name]] = kept
            else:
                kept = (existing.custom_attributes or {}).get(_CUSTOM[name])
                row.custom[_CUSTOM[name]] = kept
            if kept != in_file:
                conflicts.append(
                    {
                        "row": row.row,
                        "asset": row.name,
                        "field": name,
                        "kept": kept,
                        "in_file": in_file,
                        "source": source.describe(),
                    }  # fmt: skip
                )
    return conflicts, kept_fields


def record_import(
    uow: UnitOfWork,
    filename: str,
    written: Sequence[tuple[uuid.UUID, AssetRow]],
    kept: set[tuple[str, str]],
) -> None:
    """Each asset written, and each value the file gave it, is "imported from file, row n"."""
    values = []
    for asset_id, row in written:
        detail = import_detail(filename, row.row)
        # The asset itself ("name") comes from the row too, whatever values the row has.
        values.append((asset_id, "name", detail))
        values.extend(
            (asset_id, name, detail)
            for name, (_, value) in _file_values(row).items()
            if value is not None and (row.name, name) not in kept
        )
    sources_of(uow).record_imported(values, uow.ctx.user_id)
