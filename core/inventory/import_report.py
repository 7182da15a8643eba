"""The row-level report of an import as a CSV to fix the file by: row, column, value, reason.

Values come from the uploaded file, so they are written through core.inventory.spreadsheet:
a cell such as "=HYPERLINK(...)" opens as text, never as a formula.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from core.inventory.spreadsheet import csv_file

REPORT_COLUMNS = ("row", "column", "value", "reason")
EXCERPT_CHARS = (
    200  # of a value in a report: enough to find the cell, never the whole of a huge one
)


def excerpt(value: Any, chars: int = EXCERPT_CHARS) -> str:
    """A value as a report keeps it: its first `chars` characters, and how long it was."""
    text = "" if value is None else str(value)
    if len(text) <= chars:
        return text
    return f"{text[:chars]}… ({len(text):,} characters)"


def report_csv(
    skipped: Iterable[Mapping[str, Any]], notes: Iterable[Mapping[str, Any]] = ()
) -> bytes:
    """Every skipped row, then every row imported with a note (its reason the note)."""
    lines = [[entry.get(column, "") for column in REPORT_COLUMNS] for entry in skipped]
    lines += [[entry["row"], "", "", entry["note"]] for entry in notes]
    return csv_file(REPORT_COLUMNS, lines)
