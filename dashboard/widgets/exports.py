"""Download buttons for a flow's gaps, questionnaires and assets (built when clicked)."""

from collections.abc import Callable

import streamlit as st

from core.inventory.export import CSV_ONLY, FORMATS, WHATS, export_filenames, export_flow
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from dashboard import state

LABELS = {"azure_migrate": "Azure Migrate import", "aws_migration_hub": "AWS Migration Hub import"}
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _builder(ctx: RequestContext, flow_id: str, what: str, fmt: str) -> Callable[[], bytes]:
    # Called when the button is clicked, outside the page's run: a unit of work of its own.
    def build() -> bytes:
        with engagement_uow(ctx) as uow:
            return export_flow(uow, flow_id, what, fmt)

    return build


def show(ctx: RequestContext, flow_id: str) -> None:
    st.header("Export")
    names = state.call(export_filenames, flow_id, doing="export this flow")
    # Buttons as wide as their labels, wrapping onto a new line rather than cut with "…".
    row = st.container(horizontal=True)
    for what in WHATS:
        for fmt in FORMATS:
            if what in CSV_ONLY and fmt != "csv":
                continue
            row.download_button(
                f"{LABELS.get(what, what.capitalize())} ({fmt.upper()})",
                data=_builder(ctx, flow_id, what, fmt),
                file_name=names[what, fmt],
                mime=MIME[fmt],
                key=f"export_{what}_{fmt}",
                on_click="ignore",
                width="content",
            )
