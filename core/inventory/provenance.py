"""What an import does to the sources of values: records its own, minds people's answers.

A value an owner gave (an answer, an accepted prediction) is never silently replaced by a
later import. The engagement's source order decides: by default people's answers win (the
stored value is kept and the difference reported as a conflict to resolve); with "the
newest import wins" the file's value is written and the answer it replaced is reported,
with its source. Every value the file gives is recorded as "imported from file, row n": on
the asset as its import origin (file, row and the attributes it gave), and as a source row of
its own where another sheet of the file gave it.
"""

import uuid
from collections.abc import Sequence
from typing import Any

from core.catalogue.attributes import CATALOGUE
from core.inventory.rows import AssetRow
from core.storage.unit_of_work import UnitOfWork
from core.storage.value_sources import (
    ANSWERS_WIN,
    NEWEST_IMPORT_WINS,
    PEOPLE_SOURCES,
    ValueSourceRepository,
)
from db.models import Engagement

_TYPED = {a.name: a.source_field for a in CATALOGUE if a.is_typed_column}
_CUSTOM = {a.name: a.source_field for a in CATALOGUE if not a.is_typed_column}
_ATTRIBUTES = [
    *((name, field, True) for name, field in _TYPED.items()),
    *((name, key, False) for name, key in _CUSTOM.items()),
]


def sources_of(uow: UnitOfWork) -> ValueSourceRepository:
    return ValueSourceRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)


def source_order(uow: UnitOfWork) -> str:
    """The engagement's source order: ANSWERS_WIN or NEWEST_IMPORT_WINS."""
    engagement = uow.session.get(Engagement, uow.ctx.engagement_id)
    return engagement.import_precedence if engagement is not None else ANSWERS_WIN


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
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], set[tuple[str, str]]]:
    """Where the file would replace a value people gave, apply the engagement's source order.
    (conflicts: answers kept, {"row", "asset", "field", "kept", "in_file", "source"};
    replaced: answers the file overwrote, {"row", "asset", "field", "replaced", "in_file",
    "source"}; every (asset name, field) whose stored value was kept)."""
    ids = [stored[row.name].id for row in batch if row.name in stored]
    if not ids:
        return [], [], set()
    sources = sources_of(uow).for_assets(ids, PEOPLE_SOURCES)
    newest_wins = source_order(uow) == NEWEST_IMPORT_WINS
    conflicts, replaced = [], []
    kept_fields: set[tuple[str, str]] = set()
    for row in batch:
        existing = stored.get(row.name)
        if existing is None:
            continue
        for name, (_, in_file) in _file_values(row).items():
            source = sources.get((existing.id, name))
            if source is None or source.kind not in PEOPLE_SOURCES:
                continue
            if name in _TYPED:
                answer = getattr(existing, _TYPED[name])
            else:
                answer = (existing.custom_attributes or {}).get(_CUSTOM[name])
            if newest_wins:
                if answer != in_file:
                    replaced.append(
                        {
                            "row": row.row, "asset": row.name, "field": name,
                            "replaced": answer, "in_file": in_file, "source": source.describe(),
                        }
                    )  # fmt: skip
                continue
            kept_fields.add((row.name, name))
            if name in _TYPED:
                row.values[_TYPED[name]] = answer
            else:
                row.custom[_CUSTOM[name]] = answer
            if answer != in_file:
                conflicts.append(
                    {
                        "row": row.row,
                        "asset": row.name,
                        "field": name,
                        "kept": answer,
                        "in_file": in_file,
                        "source": source.describe(),
                    }  # fmt: skip
                )
    return conflicts, replaced, kept_fields


# The columns of an asset its import origin is read from (written by the import itself).
IMPORT_ORIGIN = ["import_file", "import_row", "imported_by", "imported_at", "imported_fields"]


def origin_fields(row: AssetRow, kept: set[tuple[str, str]]) -> list[str]:
    """The catalogue attributes the row gives its asset from the file's own row: "name" (the
    asset itself comes from the row), then each value the file has and did not keep.
    They are written on the asset as its import origin (core.storage.value_sources)."""
    values, custom, origins = row.values, row.custom, row.origins
    fields = ["name"]
    for name, key, typed in _ATTRIBUTES:  # _file_values' order, without a dict per row
        if (values if typed else custom).get(key) is None:
            continue  # not in the file, or empty there
        if (kept and (row.name, name) in kept) or (origins and key in origins):
            continue  # a value people gave, kept; or one another sheet gave
        fields.append(name)
    return fields


def record_import(
    uow: UnitOfWork,
    filename: str,
    written: Sequence[tuple[uuid.UUID, AssetRow, Any]],
    kept: set[tuple[str, str]],
) -> None:
    """After the assets are written with their new import origin, the sources it does not
    say: of an asset written before, rows naming the source of a value the import replaced
    are dropped and the old origin's other values keep it; each value another sheet gave is
    "imported from file [sheet], row n". `written`: (asset id, row, the asset as stored
    before or None) of each asset the import wrote."""
    sources = sources_of(uow)
    other_sheets = [
        (asset_id, name, f"{filename} [{row.origins[key][0]}]", row.origins[key][1])
        for asset_id, row, _ in written
        if row.origins
        for name, (_, value) in _file_values(row).items()
        if value is not None and (row.name, name) not in kept
        and (key := _field_key(name)) in row.origins
    ]  # fmt: skip
    updated = [(asset_id, row, existing) for asset_id, row, existing in written if existing]
    if updated:
        sources.replace_origins(
            [
                (asset_id, set(origin_fields(row, kept)), existing)
                for asset_id, row, existing in updated
            ]
        )
    sources.record_imported(other_sheets, uow.ctx.user_id)


def _field_key(name: str) -> str:
    """The asset field or custom key a catalogue attribute is stored under."""
    return _TYPED.get(name) or _CUSTOM.get(name) or name
