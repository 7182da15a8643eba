"""What an import did: counts, the rows skipped and why, and the row-level report as a CSV."""

from typing import Any

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.inventory.import_report import report_csv
from core.inventory.importer import ImportReport
from dashboard import shown_text

# Report columns people read differently from their keys.
HEADERS = {"in_file": "In the file"}


def _table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A report's rows with headers and field names in people's words."""
    frame = pd.DataFrame(rows)
    if "field" in frame:
        frame["field"] = frame["field"].map(
            lambda name: labels.field_label(name) if isinstance(name, str) else name
        )
    return frame.rename(columns=lambda key: HEADERS.get(key) or labels.words(key))


def show(report: ImportReport, filename: str) -> None:
    st.caption(f"Read as {report.profile}.")
    if report.sheet is not None:
        st.caption(f"Servers read from {shown_text.plain(report.sheet_choice)}.")
    columns = st.columns(4)
    columns[0].metric("Created", report.created)
    columns[1].metric("Updated", report.updated)
    columns[2].metric("Unchanged", report.unchanged)
    columns[3].metric("Skipped", len(report.skipped))
    if report.skipped:
        st.dataframe(_table(report.skipped), hide_index=True, key="import_skipped")
    if report.conflicts:
        st.warning(
            f"{len(report.conflicts)} value(s) people gave were kept instead of the file's:"
            " resolve them with their owners."
        )
        st.dataframe(_table(report.conflicts), hide_index=True, key="import_conflicts")
    if report.replaced:
        st.warning(
            f"{len(report.replaced)} value(s) people gave were replaced by the file's (the"
            " newest import wins in this engagement): check them with their owners."
        )
        st.dataframe(_table(report.replaced), hide_index=True, key="import_replaced")
    if report.row_notes:
        st.warning(f"{len(report.row_notes)} row(s) were imported with a note: check them.")
        st.dataframe(_table(report.row_notes), hide_index=True, key="import_notes")
    if report.skipped or report.row_notes:
        st.download_button(
            "Row-level report (CSV)",
            data=report_csv(report.skipped, report.row_notes),
            file_name=f"{filename.rsplit('.', 1)[0]}-import-report.csv",
            mime="text/csv",
            key="import_report",
            on_click="ignore",
        )
