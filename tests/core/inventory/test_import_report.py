"""The row-level report downloads as a CSV that re-reads as data, never as formulas."""

import csv
import io

from core.inventory.import_report import report_csv
from core.inventory.importer import import_assets
from tests.core.inventory.profile_files import csv_bytes
from tests.factories import in_uow


def read(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_report_names_row_column_value_and_reason_and_neutralises_formulas(db, tenant):
    content = csv_bytes(
        ["Name", "vCPU", "RAM (GB)"],
        [["ok", "2", "4"], ["bad", "=1+1", "4"], ["neg", "2", "-8"], ["", "1", "1"]],
    )
    report = in_uow(db, tenant, import_assets, content, "a.csv")
    lines = read(report_csv(report.skipped, report.row_notes))
    assert lines[0] == ["row", "column", "value", "reason"]
    assert lines[1] == ["3", "vCPU", "'=1+1", "vCPU: '=1+1' is not a number"]
    assert lines[2] == ["4", "RAM (GB)", "-8", "RAM (GB): '-8' is negative"]  # a number stays one
    assert lines[3] == ["5", "Name", "", "no name: the name column is empty"]
