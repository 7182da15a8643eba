"""Download the open questions shown as a spreadsheet; upload it filled in: every row checked,
all answers saved at once, or none when a row is refused, with a report row by row."""

import re
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.inventory.answer_sheets import SheetReport, answer_sheet, import_answer_sheet
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from dashboard import state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_REPORT = "answer_sheet_report"


def _builder(ctx: RequestContext, flow_id: str, filters: dict[str, Any]) -> Callable[[], bytes]:
    # Called when the button is clicked, outside the page's run: a unit of work of its own.
    def build() -> bytes:
        with engagement_uow(ctx) as uow:
            return answer_sheet(uow, flow_id, **filters)

    return build


def file_name(filters: dict[str, Any]) -> str:
    owner = re.sub(r"[^A-Za-z0-9]+", "-", filters.get("owner") or "").strip("-").lower()
    return f"open-questions{'-' + owner if owner else ''}.xlsx"


def show(ctx: RequestContext, flow_id: str, filters: dict[str, Any], may_answer: bool) -> None:
    st.subheader("Spreadsheet")
    st.download_button(
        "Download the questions shown (.xlsx)",
        data=_builder(ctx, flow_id, filters),
        file_name=file_name(filters),
        mime=XLSX,
        key=f"answer_sheet_download_{flow_id}",
        on_click="ignore",
        help="One row per question with the owner, the suggestion and why; a dropdown where"
        " the answer is a choice. Fill in the Answer column and upload it below.",
    )
    if may_answer:
        upload = st.file_uploader(
            "Upload the filled spreadsheet", type=["xlsx"], key=f"answer_sheet_upload_{flow_id}"
        )
        if upload is not None and st.button(
            "Check and save the answers", key=f"answer_sheet_save_{flow_id}"
        ):
            report = state.call_or_none(
                import_answer_sheet, flow_id, upload.getvalue(), doing="read the spreadsheet"
            )
            if report is not None:
                st.session_state[_REPORT] = report
                if report.written:
                    st.rerun()  # the grid and its counts show the saved answers
    shown: SheetReport | None = st.session_state.pop(_REPORT, None)
    if shown is not None:
        _report(shown)


def _report(report: SheetReport) -> None:
    if report.written:
        st.success(f"Saved {report.saved} answer(s) from the spreadsheet.")
    elif report.refused:
        st.error(
            f"Nothing saved: {report.refused} row(s) refused. Fix them in the file and upload"
            " it again."
        )
    else:
        st.info("The spreadsheet holds no answer to save.")
    st.dataframe(
        pd.DataFrame(
            {
                "Row": [row.row for row in report.rows],
                "Asset": [row.asset_name for row in report.rows],
                "Question": [row.label for row in report.rows],
                "Answer": ["" if row.answer is None else str(row.answer) for row in report.rows],
                "Outcome": [row.outcome for row in report.rows],
            }
        ),
        hide_index=True,
    )
