"""What an import of a file would do, read from its first rows and no further.

The detected profile and mapping (with a person's choices), the sample rows, and for each the
reason the import would skip it; the notes say which sheet, encoding and units were read.
"""

from dataclasses import dataclass, field
from typing import Any

from core.inventory.column_mapping import IGNORED
from core.inventory.files import TableFile, read_table
from core.inventory.limits import ImportLimits
from core.inventory.mapping_choices import MappingChoices
from core.inventory.row_keys import RowKeys
from core.inventory.rows import RowConverter, RowProblem, default_asset_type
from core.inventory.rvtools_tabs import RvtoolsTabs
from core.inventory.upload_memo import UploadMemo
from core.inventory.xlsx_rows import Workbook

MAX_SAMPLE_ROWS = 200


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
    # Per sample row, why the import would skip it (None: it would be imported).
    skip_reasons: list[str | None] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # source column -> size unit read in
    sheet: str | None = None  # the workbook's sheet read (the servers'), None for a CSV
    sheets: list[str] = field(default_factory=list)  # every sheet of the workbook, in order


def preview_import(
    content: bytes,
    filename: str,
    *,
    sample_rows: int = 20,
    limits: ImportLimits | None = None,
    choices: MappingChoices | None = None,
    key: str | None = None,
    memo: UploadMemo | None = None,
    sheet: str | None = None,
) -> ImportPreview:
    """How the file's columns map to asset fields and its first rows, read and no further,
    each with the reason the import would skip it. Previews and the import of one file may
    share a `memo`, so that what they all need is read once."""
    table = read_table(content, filename, limits, choices, memo, sheet)
    wanted = max(0, min(int(sample_rows), MAX_SAMPLE_ROWS))
    samples: list[dict[str, Any]] = []
    reasons: list[str | None] = []
    convert_row = RowConverter(
        table.columns,
        default_asset_type(table.columns, table.profile),
        table.profile,
        table.translations,
    )
    keys = RowKeys(table.columns, key)
    more_rows = False
    rows = table.rows()  # a generator: closed below, so a workbook stops unpacking at once
    try:
        for number, cells in rows:
            if len(samples) == wanted:
                more_rows = True
                break
            reasons.append(_skip_reason(convert_row, keys, number, cells))
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
        mapping={
            column.header or column.target: column.target or IGNORED for column in table.columns
        },
        unmapped=[column.header for column in table.columns if not column.recognized],
        sample_rows=samples,
        row_count=None if more_rows else len(samples),
        notes=_notes(table),
        profile=table.profile.label,
        skip_reasons=reasons,
        units={column.header: column.unit for column in table.columns if column.unit},
        sheet=table.sheet,
        sheets=list(table.workbook.sheets) if table.workbook is not None else [],
    )


def workbook_sheets(
    content: bytes, limits: ImportLimits | None = None, memo: UploadMemo | None = None
) -> list[str]:
    """A workbook's sheets in order, for a person to choose the servers' sheet; [] for a CSV."""
    if not isinstance(content, bytes | bytearray) or content[:4] != b"PK\x03\x04":
        return []
    return list(Workbook(bytes(content), limits or ImportLimits.from_settings(), memo).sheets)


def _skip_reason(convert_row: RowConverter, keys: RowKeys, number: int, cells: list) -> str | None:
    try:
        row = convert_row(number, cells)
        return None if keys.claim(number, row, cells) else "time series: a later sample"
    except RowProblem as problem:
        return str(problem)


def _notes(table: TableFile) -> list[str]:
    notes = [f"read as {table.profile.label}"]
    if table.kind == "xlsx":
        notes.append(f"sheet {table.sheet!r}, header on row {table.header_row}")
        notes.append(f"servers read from {table.sheet_choice}")
    else:
        delimiter = {"\t": "tab"}.get(table.delimiter or ",", table.delimiter)
        encoding = table.encoding.name if table.encoding else "utf-8"
        notes.append(f"{encoding} text, {delimiter!r}-separated, header on row {table.header_row}")
        if table.encoding and table.encoding.mixed:
            notes.append(_mixed_encoding_note(sorted(table.row_notes)))
    for column in table.columns:
        if column.unit and column.unit_factor != 1.0:
            notes.append(f"{column.header!r} is read in {column.unit.upper()} and stored in GB")
    tabs = RvtoolsTabs.of(table)
    if tabs is not None:  # the tabs are read only by the import, when a row needs them
        notes.extend(tabs.notes())
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
