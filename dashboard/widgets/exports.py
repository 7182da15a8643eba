"""Download buttons for a flow's gaps, questionnaires and assets (built when clicked)."""

from collections.abc import Callable

import streamlit as st

from core.flows.reads import get_flow
from core.inventory.export import export_filename, export_flow
from core.kernel.context import RequestContext
from dashboard import state

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _builder(ctx: RequestContext, flow_id: str, what: str, fmt: str) -> Callable[[], bytes]:
    def build() -> bytes:
        with state.session() as db:
            return export_flow(db, ctx, flow_id, what, fmt)

    return build


def show(ctx: RequestContext, flow_id: str) -> None:
    st.header("Export")
    flow = state.call(get_flow, flow_id, doing="export this flow")
    columns = st.columns(3)
    for column, what in zip(columns, ("gaps", "questionnaires", "assets"), strict=True):
        for fmt in ("csv", "xlsx"):
            column.download_button(
                f"{what.capitalize()} ({fmt.upper()})",
                data=_builder(ctx, flow_id, what, fmt),
                file_name=export_filename(flow, what, fmt),
                mime=MIME[fmt],
                key=f"export_{what}_{fmt}",
                on_click="ignore",
            )
