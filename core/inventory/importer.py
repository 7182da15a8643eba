"""Import an engagement's assets from a CSV or Excel inventory: preview, then upsert by name.

The file is the source of truth for the columns it has: a re-import updates those columns
of existing assets (an empty cell clears one), leaves other columns alone, and changes
nothing at all when the values are the same. The whole file is one unit of work: all rows or none.
"""

import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from typing import Any

from core.access import audit
from core.inventory.files import TableFile, read_table
from core.inventory.limits import ImportLimits
from core.inventory.mapping_choices import MappingChoices
from core.inventory.name_spellings import match_other_spellings
from core.inventory.preview import ImportPreview, preview_import
from core.inventory.provenance import (
    IMPORT_ORIGIN,
    keep_answers,
    origin_fields,
    record_import,
)
from core.inventory.row_keys import RowKeys
from core.inventory.rows import (
    AssetRow,
    RowConverter,
    RowProblem,
    default_asset_type,
    written_fields,
)
from core.inventory.rvtools_tabs import RvtoolsTabs
from core.inventory.upload_memo import UploadMemo
from core.kernel.permissions import Action
from core.storage.dialect import is_postgresql, refresh_statistics
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow

__all__ = ["ImportPreview", "ImportReport", "import_assets", "preview_import"]

BATCH_SIZE = 1000
Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {row, column, value, reason}
    rows: int = 0  # data rows read (blank rows are not rows)
    # Rows imported with a caveat, such as a line of another encoding: {"row", "note"}.
    row_notes: list[dict[str, Any]] = field(default_factory=list)
    # Values people gave that the file would have replaced: kept, to resolve by hand.
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    # Values people gave that the file replaced (the engagement's newest import wins).
    replaced: list[dict[str, Any]] = field(default_factory=list)
    profile: str = "plain sheet"  # which tool's export the file was read as
    sheet: str | None = None  # the workbook's sheet read, None for a CSV
    sheet_choice: str = ""  # why that sheet: the one that holds the servers, or chosen

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def import_assets(
    uow: UnitOfWork,
    content: bytes,
    filename: str,
    *,
    progress: Progress | None = None,
    max_rows: int | None = None,
    limits: ImportLimits | None = None,
    key: str | None = None,
    choices: MappingChoices | None = None,
    memo: UploadMemo | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Create or update the engagement's assets from the file; all rows or none.

    Rows that cannot be stored are skipped with their reason. A file that cannot be read,
    has no name column or more rows than the limit is a BadRequest that changes nothing.
    `key` names the column that tells rows apart (core.inventory.row_keys); default the name.
    `choices` are a person's changes to the detected mapping (core.inventory.mapping_choices).
    `memo` is the one the file's previews were read with, if any (core.inventory.upload_memo).
    `sheet` names a workbook's sheet to read; by default the one that holds the servers.
    """
    uow.require(Action.IMPORT_ASSETS)
    limits = limits or ImportLimits.from_settings(max_rows=max_rows)
    table = read_table(content, filename, limits, choices, memo, sheet)
    keys = RowKeys(table.columns, key)
    # A key other than the name needs every name first; else an estimate does for progress.
    total = keys.count_names(table.rows()) if keys.counts_names else table.estimated_rows()
    report = ImportReport(
        rows=total, profile=table.profile.label, sheet=table.sheet, sheet_choice=table.sheet_choice
    )
    default_type = default_asset_type(table.columns, table.profile)
    convert_row = RowConverter(table.columns, default_type, table.profile, table.translations)
    batch: list[AssetRow] = []
    processed = 0
    # RVTools' vCPU, vMemory, vDisk and vPartition tabs give what vInfo rows lack.
    tabs = RvtoolsTabs.of(table)
    writer = _BatchWriter(uow, table, str(filename)[:200], tabs, by_name=not keys.counts_names)
    try:
        for number, cells in table.rows():  # refuses a file over the row limit at the limit
            processed += 1
            try:
                if tabs is not None:
                    tabs.saw(cells)
                row = convert_row(number, cells)
                if tabs is not None and (note := tabs.fill(row, cells)):
                    earlier = table.row_notes.get(number)
                    table.row_notes[number] = f"{earlier}; {note}" if earlier else note
                if keys.claim(number, row, cells):
                    batch.append(row)
            except RowProblem as problem:
                report.skipped.append(problem.entry(number))
            if len(batch) >= BATCH_SIZE:
                writer.write(batch, report)
                batch = []
                if progress is not None:
                    progress(processed, max(total, processed))
        writer.write(batch, report)
        writer.finish()
    finally:
        writer.close()
    refresh_statistics(uow.session, "assets", report.created + report.updated)
    report.rows = processed
    if progress is not None:
        progress(processed, processed)
    unmatched = tabs.unmatched() if tabs is not None else []
    report.skipped = sorted([*report.skipped, *keys.series_entries()], key=lambda e: e["row"])
    report.skipped += unmatched  # rows of another sheet: after vInfo's
    report.row_notes = [{"row": row, "note": note} for row, note in sorted(table.row_notes.items())]
    audit.record(
        uow,
        "assets_imported",
        filename=str(filename)[:255],
        profile=table.profile.name,
        sheet=table.sheet,
        rows=report.rows,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        skipped=len(report.skipped),
        answers_replaced=len(report.replaced),
    )
    return report


class _BatchWriter:
    """Compares a batch with what is stored, then upserts the rows that change something.

    Made inside the import's transaction: it serializes imports of the engagement, and an
    engagement without assets at that point needs no lookups (names in the file are unique).
    """

    def __init__(
        self,
        uow: UnitOfWork,
        table: TableFile,
        filename: str,
        tabs: RvtoolsTabs | None,
        by_name: bool = True,
    ):
        self.uow, self.filename = uow, filename
        self.by_name = by_name  # rows keyed by the name: a short name and its FQDN are one
        self.assets = uow.assets
        self.lock = is_postgresql(uow.session)
        self.assets.lock_for_import()
        self.nothing_stored = not self.assets.has_assets()
        self.compared = written_fields(table.columns, table.profile)
        if tabs is not None:  # vInfo may lack the column another sheet fills
            self.compared += [f for f in tabs.typed_fields if f not in self.compared]
        self.update_columns = [*self.compared]
        # Profiles and the type column add custom attributes too (os_name, source_class).
        self.update_columns += ["custom_attributes", "import_row", "imported_fields"]
        self.field_lists: dict[tuple[str, ...], list[str]] = {}
        # On PostgreSQL the server writes a batch while the next one is read and converted:
        # one writer thread, and the connection is used by one thread at a time (each use
        # waits for the batch being written).
        self.writing: Future[None] | None = None
        self.thread = ThreadPoolExecutor(1, "asset-import") if self.lock else None

    def finish(self) -> None:
        """Waits for the batch being written; raises what writing it raised."""
        if self.writing is not None:
            writing, self.writing = self.writing, None
            writing.result()

    def close(self) -> None:
        """Lets the batch being written end (the transaction cannot end under it) and the
        thread go; an error of its own is left to `finish`, or to the one already raised."""
        if self.writing is not None:
            wait([self.writing])
        if self.thread is not None:
            self.thread.shutdown()

    def write(self, batch: list[AssetRow], report: ImportReport) -> None:
        if not batch:
            return
        self.finish()
        columns = ["id", *self.compared, "custom_attributes", *IMPORT_ORIGIN]
        stored = (
            {}
            if self.nothing_stored
            else self.assets.rows_by_name(
                [row.name for row in batch], columns, for_update=self.lock
            )
        )
        if self.by_name and not self.nothing_stored:
            match_other_spellings(self.assets, batch, stored, columns, for_update=self.lock)
        conflicts, replaced, kept = keep_answers(self.uow, batch, stored)
        report.conflicts.extend(conflicts)
        report.replaced.extend(replaced)
        changed = []
        written = []
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
            asset_id = uuid.uuid4() if existing is None else existing.id
            written.append((asset_id, row, existing))
            changed.append(
                {
                    "id": asset_id,
                    **row.values,
                    "custom_attributes": custom,
                    "import_row": row.row,
                    "imported_fields": self._shared(origin_fields(row, kept)),
                }
            )
        now = utcnow()
        # The import origin: where the values in `imported_fields` came from.
        origin = {"import_file": self.filename, "imported_by": self.uow.ctx.user_id}
        constants = {"created_at": now, "updated_at": now, "imported_at": now, **origin}
        if self.thread is None:
            self._store(changed, constants, written, kept)
        else:
            self.writing = self.thread.submit(self._store, changed, constants, written, kept)

    def _store(
        self,
        changed: list[dict[str, Any]],
        constants: dict[str, Any],
        written: list[tuple[uuid.UUID, AssetRow, Any]],
        kept: set[tuple[str, str]],
    ) -> None:
        self.assets.upsert_by_name(changed, self.update_columns, constants)
        record_import(self.uow, self.filename, written, kept)

    def _shared(self, fields: list[str]) -> list[str]:
        """One list per set of fields: most rows give the same ones, written as one JSON."""
        return self.field_lists.setdefault(tuple(fields), fields)


def _merged(stored: dict[str, Any], from_file: dict[str, Any]) -> dict[str, Any]:
    merged = dict(stored)
    for key, value in from_file.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged
