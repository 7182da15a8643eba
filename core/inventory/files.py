"""Reading an uploaded inventory (CSV in any common encoding and delimiter, or .xlsx) as rows.

Rows stream: a CSV is decoded once and re-read with the csv module, a workbook is opened in
openpyxl's read-only mode; neither is ever turned into one big table in memory.
"""

import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from core.inventory.column_mapping import ALIASES, ColumnTarget, map_columns
from core.inventory.spreadsheet import unescape_formula
from core.kernel.errors import BadRequest

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t", "|")
HEADER_SEARCH_ROWS = 10  # title lines above the header are common in exported reports
MAX_CONTROL_SHARE = 0.01

Row = tuple[int, list[Any]]  # (row number as a spreadsheet shows it, cell values)


@dataclass
class TableFile:
    kind: str  # "csv" | "xlsx"
    headers: list[str]
    columns: list[ColumnTarget]
    header_row: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    _open_rows: Callable[[], Iterator[Row]] = field(repr=False, default=lambda: iter(()))

    def rows(self) -> Iterator[Row]:
        """Data rows after the header, blank rows left out; may be called more than once."""
        for number, cells in self._open_rows():
            if number > self.header_row and any(_filled(cell) for cell in cells):
                yield number, cells


def read_table(content: bytes, filename: str) -> TableFile:
    if not isinstance(content, bytes | bytearray) or not content:
        raise BadRequest("the file is empty", field="file")
    suffix = PurePath(filename or "").suffix.lower()
    if content[:4] == b"PK\x03\x04":
        return _read_workbook(bytes(content))
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
    return _read_csv(bytes(content))


def decode_text(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252/latin-1."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ("utf-16",)
    elif content.startswith(b"\xef\xbb\xbf"):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "cp1252", "latin-1")
    for encoding in candidates:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text, encoding
    raise BadRequest(
        "the file cannot be read as text (tried UTF-8, UTF-16, Windows-1252 and Latin-1; it"
        " holds NUL or control bytes): export it as CSV UTF-8 or .xlsx",
        field="file",
    )


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    sample = text[:100_000]
    controls = sum(
        1 for char in sample if char not in "\t\r\n" and unicodedata.category(char) == "Cc"
    )
    return controls > MAX_CONTROL_SHARE * max(len(sample), 1)


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first non-blank line most (outside quotes); ',' on a tie."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    unquoted, quoted = [], False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            unquoted.append(char)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(content: bytes) -> TableFile:
    text, encoding = decode_text(content)
    delimiter = detect_delimiter(text)

    def open_rows() -> Iterator[Row]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):  # noqa: B007 - used on error
                # Our exports (and other tools heeding OWASP) mark formula-like text with an
                # apostrophe; it is not part of the value.
                yield (
                    number,
                    [unescape_formula(cell) if cell[:1] == "'" else cell for cell in cells],
                )
        except csv.Error as error:
            raise BadRequest(
                f"row {number + 1} cannot be read as CSV: {error}", field="file"
            ) from None

    header_row, headers = _find_header(open_rows(), "the file")
    return TableFile(
        "csv",
        headers,
        map_columns(headers),
        header_row,
        encoding=encoding,
        delimiter=delimiter,
        _open_rows=open_rows,
    )


def _read_workbook(content: bytes) -> TableFile:
    from openpyxl import load_workbook

    def open_workbook():
        try:
            return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds on a damaged archive
            raise BadRequest(
                f"not a readable Excel workbook (.xlsx): {type(error).__name__}: {error}",
                field="file",
            ) from None

    def open_sheet(name: str) -> Iterator[Row]:
        workbook = open_workbook()
        try:
            rows = workbook[name].iter_rows(values_only=True)
            for number, cells in enumerate(rows, start=1):
                yield number, list(cells)
        except BadRequest:
            raise
        except Exception as error:  # a damaged sheet fails while it is read
            raise BadRequest(
                f"sheet {name!r} cannot be read: {type(error).__name__}: {error}", field="file"
            ) from None
        finally:
            workbook.close()

    workbook = open_workbook()
    sheet_names = list(workbook.sheetnames)
    workbook.close()
    failure: BadRequest | None = None
    for sheet_name in sheet_names:
        try:
            header_row, headers = _find_header(open_sheet(sheet_name), f"sheet {sheet_name!r}")
        except BadRequest as error:
            failure = failure or error
            continue
        return TableFile(
            "xlsx",
            headers,
            map_columns(headers),
            header_row,
            sheet=sheet_name,
            _open_rows=lambda sheet_name=sheet_name: open_sheet(sheet_name),
        )
    raise failure or BadRequest("the workbook has no sheets", field="file")


def _find_header(rows: Iterator[Row], where: str) -> tuple[int, list[str]]:
    seen = 0
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
    if seen == 0:
        raise BadRequest(f"{where} holds no rows", field="file")
    examples = ", ".join(repr(alias) for alias in ALIASES["name"][:8])
    raise BadRequest(
        f"{where} has no name column: one column must name each asset ({examples}, ...)",
        field="file",
    )


def _header_text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _filled(cell: Any) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))
