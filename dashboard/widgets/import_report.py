"""What an import did: counts, the rows skipped and why, and the row-level report as a CSV."""

import pandas as pd
import streamlit as st

from core.inventory.import_report import report_csv
from core.inventory.importer import ImportReport
from dashboard import shown_text


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
        st.dataframe(pd.DataFrame(report.skipped), hide_index=True, key="import_skipped")
    if report.conflicts:
        st.warning(
            f"{len(report.conflicts)} value(s) people gave were kept instead of the file's:"
            " resolve them with their owners."
        )
        st.dataframe(pd.DataFrame(report.conflicts), hide_index=True, key="import_conflicts")
    if report.replaced:
        st.warning(
            f"{len(report.replaced)} value(s) people gave were replaced by the file's (the"
            " newest import wins in this engagement): check them with their owners."
        )
        st.dataframe(pd.DataFrame(report.replaced), hide_index=True, key="import_replaced")
    if report.row_notes:
        st.warning(f"{len(report.row_notes)} row(s) were imported with a note: check them.")
        st.dataframe(pd.DataFrame(report.row_notes), hide_index=True, key="import_notes")
    if report.skipped or report.row_notes:
        st.download_button(
            "Row-level report (CSV)",
            data=report_csv(report.skipped, report.row_notes),
            file_name=f"{filename.rsplit('.', 1)[0]}-import-report.csv",
            mime="text/csv",
            key="import_report",
            on_click="ignore",
        )
