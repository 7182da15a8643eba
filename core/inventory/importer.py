"""Import an engagement's assets from a CSV or Excel inventory: preview, then upsert by name.

The file is the source of truth for the columns it has: a re-import updates those columns
of existing assets (an empty cell clears one), leaves other columns alone, and changes
nothing at all when the values are the same. The whole file is one unit of work: all rows or none.
"""

import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from core.access import audit
from core.inventory.files import TableFile, read_table
from core.inventory.limits import ImportLimits
from core.inventory.row_keys import RowKeys
from core.inventory.rows import (
    AssetRow,
    RowConverter,
    RowProblem,
    default_asset_type,
    written_fields,
)
from core.kernel.permissions import Action
from core.storage.dialect import is_postgresql
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow

BATCH_SIZE = 1000
MAX_SAMPLE_ROWS = 200
Progress = Callable[[int, int], None]


@dataclass
class ImportPreview:
    mapping: dict[str, str]  # source column -> asset field or "custom_attributes.<key>"
    unmapped: list[str]  # source columns not recognized (kept as custom attributes)
    sample_rows: list[dict[str, Any]]  # source column -> cell, as in the file
    # Data rows in the file when the preview read them all; None when more rows follow than it
    # shows (a preview reads only what it shows: the import counts the rest).
    row_count: int | None
    notes: list[str] = field(default_factory=list)  # unit conversions, sheet, encoding
    profile: str = "plain sheet"  # which tool's export the file was read as


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {"row", "reason"}
    rows: int = 0  # data rows read (blank rows are not rows)
    # Rows imported with a caveat, such as a line of another encoding: {"row", "note"}.
    row_notes: list[dict[str, Any]] = field(default_factory=list)
    profile: str = "plain sheet"  # which tool's export the file was read as

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def preview_import(
    content: bytes,
    filename: str,
    *,
    sample_rows: int = 20,
    limits: ImportLimits | None = None,
) -> ImportPreview:
    """How the file's columns map to asset fields and its first rows, read and no further."""
    table = read_table(content, filename, limits)
    wanted = max(0, min(int(sample_rows), MAX_SAMPLE_ROWS))
    samples: list[dict[str, Any]] = []
    more_rows = False
    rows = table.rows()  # a generator: closed below, so a workbook stops unpacking at once
    try:
        for _number, cells in rows:
            if len(samples) == wanted:
                more_rows = True
                break
            samples.append(
                {
                    column.header or column.target: cells[column.index]
                    if column.index < len(cells)
                    else None
                    for column in table.columns
                }
            )
    finally:
        rows.close()
    return ImportPreview(
        mapping={column.header or column.target: column.target for column in table.columns},
        unmapped=[column.header for column in table.columns if not column.recognized],
        sample_rows=samples,
        row_count=None if more_rows else len(samples),
        notes=_notes(table),
        profile=table.profile.label,
    )


def _notes(table: TableFile) -> list[str]:
    notes = [f"read as {table.profile.label}"]
    if table.kind == "xlsx":
        notes.append(f"sheet {table.sheet!r}, header on row {table.header_row}")
    else:
        delimiter = {"\t": "tab"}.get(table.delimiter or ",", table.delimiter)
        encoding = table.encoding.name if table.encoding else "utf-8"
        notes.append(f"{encoding} text, {delimiter!r}-separated, header on row {table.header_row}")
        if table.encoding and table.encoding.mixed:
            notes.append(_mixed_encoding_note(sorted(table.row_notes)))
    for column in table.columns:
        if column.unit and column.unit_factor != 1.0:
            notes.append(f"{column.header!r} is read in {column.unit.upper()} and stored in GB")
    if not any(column.target == "asset_type" for column in table.columns):
        default_type = default_asset_type(table.columns, table.profile)
        notes.append(f"no type column: new assets are {default_type}s")
    return notes


def _mixed_encoding_note(recoded_rows: list[int]) -> str:
    """What the preview says of a file of UTF-8 and Windows-1252 lines, naming the rows it read."""
    if not recoded_rows:
        which = "lines that are not valid UTF-8 are read as Windows-1252"
    elif len(recoded_rows) == 1:
        which = f"row {recoded_rows[0]} is not valid UTF-8 and was read as Windows-1252"
    else:
        shown = [str(row) for row in recoded_rows[:10]]
        listed = ", ".join(shown[:-1]) + " and " + shown[-1]
        which = f"rows {listed} are not valid UTF-8 and were read as Windows-1252"
    return f"the file mixes encodings: {which}; the import report names every such row"


def import_assets(
    uow: UnitOfWork,
    content: bytes,
    filename: str,
    *,
    progress: Progress | None = None,
    max_rows: int | None = None,
    limits: ImportLimits | None = None,
    key: str | None = None,
) -> ImportReport:
    """Create or update the engagement's assets from the file; all rows or none.

    Rows that cannot be stored are skipped with their reason. A file that cannot be read,
    has no name column or more rows than the limit is a BadRequest that changes nothing.
    `key` names the column that tells rows apart (core.inventory.row_keys); default the name.
    """
    uow.require(Action.IMPORT_ASSETS)
    table = read_table(content, filename, limits or ImportLimits.from_settings(max_rows=max_rows))
    keys = RowKeys(table.columns, key)
    total = 0
    for _number, cells in table.rows():  # refuses a file over the row limit at the limit
        total += 1
        keys.count(cells)
    report = ImportReport(rows=total, profile=table.profile.label)
    default_type = default_asset_type(table.columns, table.profile)
    convert_row = RowConverter(table.columns, default_type, table.profile)
    batch: list[AssetRow] = []
    processed = 0
    writer = _BatchWriter(uow, table)
    for number, cells in table.rows():
        processed += 1
        try:
            row = convert_row(number, cells)
            if keys.claim(number, row, cells):
                batch.append(row)
        except RowProblem as problem:
            report.skipped.append({"row": number, "reason": str(problem)})
        if len(batch) >= BATCH_SIZE:
            writer.write(batch, report)
            batch = []
            if progress is not None:
                progress(processed, total)
    writer.write(batch, report)
    if progress is not None:
        progress(processed, total)
    report.skipped = sorted([*report.skipped, *keys.series_entries()], key=lambda e: e["row"])
    report.row_notes = [{"row": row, "note": note} for row, note in sorted(table.row_notes.items())]
    audit.record(
        uow,
        "assets_imported",
        filename=str(filename)[:255],
        profile=table.profile.name,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=len(report.skipped),
    )
    return report


class _BatchWriter:
    """Compares a batch with what is stored, then upserts the rows that change something.

    Made inside the import's transaction: it serializes imports of the engagement, and an
    engagement without assets at that point needs no lookups (names in the file are unique).
    """

    def __init__(self, uow: UnitOfWork, table: TableFile):
        self.assets = uow.assets
        self.lock = is_postgresql(uow.session)
        self.assets.lock_for_import()
        self.nothing_stored = not self.assets.has_assets()
        self.compared = written_fields(table.columns, table.profile)
        self.update_columns = [*self.compared]
        # Profiles and the type column add custom attributes too (os_name, source_class).
        self.update_columns.append("custom_attributes")

    def write(self, batch: list[AssetRow], report: ImportReport) -> None:
        if not batch:
            return
        stored = (
            {}
            if self.nothing_stored
            else self.assets.rows_by_name(
                [row.name for row in batch],
                [*self.compared, "custom_attributes"],
                for_update=self.lock,
            )
        )
        now = utcnow()
        changed = []
        for row in batch:
            existing = stored.get(row.name)
            if existing is None:
                custom = {key: value for key, value in row.custom.items() if value is not None}
                report.created += 1
            else:
                custom = _merged(existing.custom_attributes or {}, row.custom)
                if all(getattr(existing, c) == row.values[c] for c in self.compared) and (
                    custom == (existing.custom_attributes or {})
                ):
                    report.unchanged += 1
                    continue
                report.updated += 1
            changed.append(
                {
                    "id": uuid.uuid4(),
                    **row.values,
                    "custom_attributes": custom,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        self.assets.upsert_by_name(changed, self.update_columns)


def _merged(stored: dict[str, Any], from_file: dict[str, Any]) -> dict[str, Any]:
    merged = dict(stored)
    for key, value in from_file.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
