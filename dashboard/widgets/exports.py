"""Download buttons for a flow's gaps, questionnaires and assets.

A flow of up to INLINE_SCAN_LIMIT assets builds a file when its button is clicked; a bigger one
has each file prepared by a worker (a bar while it is written, the page runs once when it is
ready) and then downloads the file the worker wrote, through the web process's download route.
"""

from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st

from core.catalogue.labels import export_label
from core.enhancement.progress_pass import EXPORT_RUN
from core.flows import phase_runs
from core.flows.phase_run import PhaseRunProgress, PhaseRunStatus
from core.flows.reads import CollectionFlow, selected_asset_count
from core.inventory.export import CSV_ONLY, FORMATS, WHATS, export_filenames, export_flow
from core.inventory.export_runs import start_export
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from dashboard import export_download, state
from dashboard.widgets import phase_run_panel

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


def _choices() -> list[tuple[str, str]]:
    return [
        (what, fmt) for what in WHATS for fmt in FORMATS if fmt == "csv" or what not in CSV_ONLY
    ]


def _label(what: str, fmt: str) -> str:
    return f"{export_label(what)} ({fmt.upper()})"


def show(ctx: RequestContext, flow: CollectionFlow) -> None:
    st.header("Export")
    flow_id = str(flow.flow_id)
    selected = state.call(selected_asset_count, flow_id, doing="read the flow's selection")
    if selected > phase_runs.INLINE_SCAN_LIMIT:
        _show_prepared(ctx, flow_id)
        return
    names = state.call(export_filenames, flow_id, doing="export this flow")
    # Buttons as wide as their labels, wrapping onto a new line rather than cut with "…".
    row = st.container(horizontal=True)
    for what in WHATS:
        for fmt in FORMATS:
            if what in CSV_ONLY and fmt != "csv":
                continue
            row.download_button(
                _label(what, fmt),
                data=_builder(ctx, flow_id, what, fmt),
                file_name=names[what, fmt],
                mime=MIME[fmt],
                key=f"export_{what}_{fmt}",
                on_click="ignore",
                width="content",
            )


def _show_prepared(ctx: RequestContext, flow_id: str) -> None:
    """A worker writes the file; the bar follows it; the download serves what it wrote."""
    progress, token = phase_run_panel.watch(flow_id, EXPORT_RUN)
    phase_run_panel.show(progress, token, key="export_run_panel")
    busy = progress is not None and progress.is_live
    _ready(progress, token)
    options = _choices()
    chosen = st.selectbox(
        "File to prepare", options, format_func=lambda pair: _label(*pair), key="export_choice"
    )
    if st.button("Prepare the file", disabled=busy or chosen is None, key="prepare_export"):
        what, fmt = chosen
        state.call(start_export, flow_id, what, fmt, doing="export this flow")
        st.rerun()


def _ready(progress: PhaseRunProgress | None, token: str) -> None:
    if progress is None or progress.run.status is not PhaseRunStatus.COMPLETED:
        return
    output = progress.run.output
    # Served by the web process's download route, as it is read from the file: never held in
    # the page's memory. The pass is this run's (5 minutes; a page run issues a new one).
    st.link_button(
        f"Download {_label(output['what'], output['format'])}",
        f"{export_download.path()}?{urlencode({'token': token})}",
        type="primary",
    )
