"""The row-level report of an import as a CSV to fix the file by: row, column, value, reason.

Values come from the uploaded file, so they are written through core.inventory.spreadsheet:
a cell such as "=HYPERLINK(...)" opens as text, never as a formula.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from core.inventory.spreadsheet import csv_file

REPORT_COLUMNS = ("row", "column", "value", "reason")


def report_csv(
    skipped: Iterable[Mapping[str, Any]], notes: Iterable[Mapping[str, Any]] = ()
) -> bytes:
    """Every skipped row, then every row imported with a note (its reason the note)."""
    lines = [[entry.get(column, "") for column in REPORT_COLUMNS] for entry in skipped]
    lines += [[entry["row"], "", "", entry["note"]] for entry in notes]
    return csv_file(REPORT_COLUMNS, lines)
