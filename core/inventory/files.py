"""Reading an uploaded inventory (CSV in any common encoding and delimiter, or .xlsx) as rows.

Rows stream under the import limits (core.inventory.limits): a CSV is decoded line by line
(core.inventory.csv_rows), a workbook's sheet XML is parsed as it is unpacked (core.inventory.xlsx_rows). Neither
is ever held whole in memory, and a reader stops as soon as a limit is passed.
"""

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath
from typing import Any

from core.inventory.column_mapping import ALIASES, ColumnTarget, map_columns, normalize_header
from core.inventory.csv_rows import (
    TextEncoding,
    csv_rows,
    detect_delimiter,
    detect_encoding,
    first_filled_line,
)
from core.inventory.limits import ImportLimits, file_too_large, too_many_rows
from core.inventory.mapping_choices import MappingChoices
from core.inventory.profiles import PLAIN, Profile, detect_profile, preferred_sheets
from core.inventory.sheet_choice import (
    SheetCandidate,
    choose_sheet,
    server_signs,
    unclear_sheets,
)
from core.inventory.upload_memo import UploadMemo
from core.inventory.xlsx_rows import DamagedSheet, Workbook
from core.kernel.errors import BadRequest

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 10  # title lines above the header are common in exported reports

Row = tuple[int, list[Any]]  # (row number as a spreadsheet shows it, cell values)
RowSource = Generator[Row, None, None]


class NoHeader(BadRequest):
    """No header row with a name column: another sheet of a workbook may have one."""


@dataclass
class TableFile:
    kind: str  # "csv" | "xlsx"
    headers: list[str]
    columns: list[ColumnTarget]
    header_row: int
    limits: ImportLimits
    encoding: TextEncoding | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheet_choice: str = ""  # which sheet of a workbook holds the servers, and why
    # Column index -> {a value as the file writes it, in lower case -> the value stored}
    translations: dict[int, dict[str, str]] = field(default_factory=dict)
    profile: Profile = PLAIN
    # Rows read with a caveat (row number -> what), filled in as rows are read.
    row_notes: dict[int, str] = field(default_factory=dict)
    workbook: Workbook | None = field(repr=False, default=None)  # its other sheets, if any
    _open_rows: Callable[[], RowSource] = field(repr=False, default=lambda: (_ for _ in ()))
    _count_rows: Callable[[], int] | None = field(repr=False, default=None)

    def rows(self) -> Generator[Row, None, None]:
        """Data rows after the header, blank rows left out; may be called more than once.

        Past `limits.max_rows` data rows it raises BadRequest, having read no further.
        """
        source = self._open_rows()
        data_rows = 0
        try:
            for number, cells in source:
                if number > self.header_row and any(_filled(cell) for cell in cells):
                    data_rows += 1
                    if data_rows > self.limits.max_rows:
                        raise too_many_rows(self.limits.max_rows)
                    yield number, cells
        finally:
            source.close()  # a workbook's parts are closed as soon as the reader stops

    def estimated_rows(self) -> int:
        """About how many data rows `rows` yields, read cheaply (for progress, not for limits)."""
        if self._count_rows is None:
            return sum(1 for _ in self.rows())
        return max(0, self._count_rows() - 1)  # less the header row


def read_table(
    content: bytes,
    filename: str,
    limits: ImportLimits | None = None,
    choices: MappingChoices | None = None,
    memo: UploadMemo | None = None,
    sheet: str | None = None,
) -> TableFile:
    """The file as a table; `memo` keeps what the next read of the same file can reuse.
    `sheet` names the workbook's sheet to read; by default the one that holds the servers
    (core.inventory.sheet_choice)."""
    limits = limits or ImportLimits.from_settings()
    if not isinstance(content, bytes | bytearray) or not content:
        raise BadRequest("the file is empty", field="file")
    if len(content) > limits.max_file_bytes:
        raise file_too_large(len(content), limits.max_file_bytes)
    suffix = PurePath(filename or "").suffix.lower()
    if content[:4] == b"PK\x03\x04":
        return _read_workbook(bytes(content), limits, choices, memo, sheet)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise BadRequest(
            "this is an old Excel .xls workbook; save it as .xlsx or CSV", field="file"
        )
    if suffix in EXCEL_SUFFIXES:
        raise BadRequest(f"{filename} is not a readable Excel workbook", field="file")
    if suffix and suffix not in TEXT_SUFFIXES:
        raise BadRequest(
            f"unsupported file type {suffix!r}: upload a CSV (.csv, .tsv, .txt) or .xlsx",
            field="file",
        )
    return _read_csv(bytes(content), limits, choices)


def _read_csv(content: bytes, limits: ImportLimits, choices: MappingChoices | None) -> TableFile:
    encoding = detect_encoding(content)
    delimiter = detect_delimiter(first_filled_line(content, encoding))
    row_notes: dict[int, str] = {}

    def open_rows() -> RowSource:
        return csv_rows(content, encoding, delimiter, limits, row_notes)

    header_row, headers = _find_header(open_rows(), "the file")
    profile = detect_profile(headers)
    return TableFile(
        "csv",
        headers,
        profiled_columns(headers, profile, choices),
        header_row,
        limits,
        translations=_translations(headers, choices),
        profile=profile,
        encoding=encoding,
        delimiter=delimiter,
        row_notes=row_notes,
        _open_rows=open_rows,
    )


def _read_workbook(
    content: bytes,
    limits: ImportLimits,
    choices: MappingChoices | None,
    memo: UploadMemo | None,
    wanted: str | None = None,
) -> TableFile:
    workbook = Workbook(content, limits, memo)
    sheets = list(workbook.sheets)
    if wanted is not None and wanted.strip():
        name = _named_sheet(sheets, wanted)
        header_row, headers = _find_header(workbook.rows(name), f"sheet {name!r}")
        return _sheet_table(workbook, name, header_row, headers, choices, f"sheet {name!r}: chosen")
    failure: BadRequest | None = None
    found: dict[str, tuple[int, list[str]]] = {}
    candidates: list[SheetCandidate] = []
    for sheet_name in preferred_sheets(sheets):
        try:
            header_row, headers = _find_header(workbook.rows(sheet_name), f"sheet {sheet_name!r}")
        except (NoHeader, DamagedSheet) as error:
            failure = failure or error
            continue
        profile = detect_profile(headers, sheets)
        columns = profiled_columns(headers, profile, choices)
        preferred = sheet_name.strip().lower() in profile.sheets
        found[sheet_name] = (header_row, headers)
        candidates.append(SheetCandidate(sheet_name, server_signs(columns), preferred))
        if preferred:
            break  # the sheet the tool writes its servers on: no need to look further
    if not candidates:
        raise failure or BadRequest("the workbook has no sheets", field="file")
    chosen, why = choose_sheet(candidates)
    if chosen is None:
        counts = [(c.name, _data_rows(workbook, c.name, found[c.name][0])) for c in candidates]
        raise unclear_sheets(counts)
    header_row, headers = found[chosen.name]
    return _sheet_table(workbook, chosen.name, header_row, headers, choices, why)


def _sheet_table(
    workbook: Workbook,
    sheet_name: str,
    header_row: int,
    headers: list[str],
    choices: MappingChoices | None,
    why: str,
) -> TableFile:
    profile = detect_profile(headers, list(workbook.sheets))
    return TableFile(
        "xlsx",
        headers,
        profiled_columns(headers, profile, choices),
        header_row,
        workbook.limits,
        sheet=sheet_name,
        sheet_choice=why,
        translations=_translations(headers, choices),
        profile=profile,
        workbook=workbook,
        _open_rows=partial(workbook.rows, sheet_name),
        _count_rows=partial(workbook.estimate_rows, sheet_name),
    )


def _named_sheet(sheets: list[str], wanted: str) -> str:
    """The sheet a person named, whatever its case and surrounding blanks."""
    text = wanted.strip()
    for matches in (lambda s: s == text, lambda s: s.strip().lower() == text.lower()):
        found = next((sheet for sheet in sheets if matches(sheet)), None)
        if found is not None:
            return found
    listed = ", ".join(repr(sheet) for sheet in sheets[:40])
    raise BadRequest(
        f"the workbook has no sheet {text[:100]!r}: its sheets are {listed}", field="sheet"
    )


def _data_rows(workbook: Workbook, sheet_name: str, header_row: int) -> int:
    """Filled rows below the header, counted up to the row limit (for the refusal only)."""
    rows = workbook.rows(sheet_name)
    counted = 0
    try:
        for number, cells in rows:
            if number > header_row and any(_filled(cell) for cell in cells):
                counted += 1
                if counted > workbook.limits.max_rows:
                    break
    finally:
        rows.close()
    return counted


def profiled_columns(
    headers: list[str], profile: Profile, choices: MappingChoices | None = None
) -> list[ColumnTarget]:
    """The columns as the profile of the tool that wrote them reads them, and as a person
    chose (their choices win)."""
    chosen_columns, chosen_units = choices.by_normalized_header() if choices else ({}, {})
    columns = {**profile.columns, **chosen_columns}
    return map_columns(headers, columns, {**profile.units, **chosen_units})


def _translations(headers: list[str], choices: MappingChoices | None) -> dict[int, dict[str, str]]:
    if choices is None or not choices.values:
        return {}
    by_header = choices.translations_by_normalized_header()
    return {
        index: by_header[normalize_header(header)]
        for index, header in enumerate(headers)
        if normalize_header(header) in by_header
    }


def _find_header(rows: RowSource, where: str) -> tuple[int, list[str]]:
    seen = 0
    try:
        for number, cells in rows:
            if not any(_filled(cell) for cell in cells):
                continue
            headers = [_header_text(cell) for cell in cells]
            while headers and not headers[-1]:
                headers.pop()
            if any(column.target == "name" for column in map_columns(headers)):
                return number, headers
            seen += 1
            if seen >= HEADER_SEARCH_ROWS:
                break
    finally:
        rows.close()
    if seen == 0:
        raise NoHeader(f"{where} holds no rows", field="file")
    examples = ", ".join(repr(alias) for alias in ALIASES["name"][:8])
    raise NoHeader(
        f"{where} has no name column: one column must name each asset ({examples}, ...)",
        field="file",
    )


def _header_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))
