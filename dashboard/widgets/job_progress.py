"""The gap job's progress panel: refreshes itself, one progress read per tick."""

from datetime import timedelta

import streamlit as st

from core.enhancement.jobs import progress_reader, retry_gap_analysis
from core.kernel.context import RequestContext
from dashboard import state

FINISHED = ("completed", "failed")


def _render(progress: dict, ctx: RequestContext, flow_id: str, may_retry: bool) -> None:
    status = progress["status"]
    if status == "not_started":
        st.caption("No gap job for this flow yet. Select gaps above and analyze them.")
        return
    processed, total = progress.get("processed", 0), progress.get("total", 0)
    percentage = float(progress.get("percentage") or 0)
    label = "stalled" if progress.get("stalled") else status
    st.progress(min(percentage, 100) / 100, text=f"Gap analysis {label}: {percentage:.0f}%")
    columns = st.columns(3)
    columns[0].metric("Processed", f"{processed} / {total}")
    columns[1].metric("Percentage", f"{percentage:.0f}%")
    columns[2].metric("Errors", len(progress.get("errors") or []))
    if status in ("queued", "running") and progress.get("current_asset"):
        # Asset names are long: a line of text, where a metric would cut them short.
        st.text(f"Current asset: {progress['current_asset']}")
    for error in progress.get("errors") or []:
        st.text(f"• {error}")
    if progress.get("updated_at"):
        st.caption(f"Last heartbeat {state.local_time(progress['updated_at'])}")
    if status == "completed":
        st.success(f"Analysis complete: {processed} gap(s) enhanced.")
    if progress.get("stalled") or status == "failed":
        reason = "stopped reporting progress" if progress.get("stalled") else "failed"
        st.warning(f"The job {reason}. Retry it to continue with the gaps not yet done.")
        if may_retry and st.button("Retry", key="retry_gap_job"):
            with state.session() as db:
                outcome = state.run_use_case(
                    retry_gap_analysis, db, ctx, flow_id, doing="retry gap jobs"
                )
            if outcome is not state.FAILED:
                st.session_state.setdefault(state.LAST_JOB_STATUS, {})[flow_id] = "queued"
                st.rerun(scope="fragment")


def show(ctx: RequestContext, flow_id: str, may_retry: bool) -> None:
    st.subheader("Job progress")
    choice = st.segmented_control(
        "Refresh every",
        list(state.POLL_CHOICES),
        default="2 s",
        key=state.POLL_SECONDS,
    )
    seconds = state.POLL_CHOICES.get(choice or "Off", 0)
    # Tenancy and the flow are checked once per page run; each tick then reads the job key only.
    with state.session() as db:
        read_progress = state.run_use_case(
            progress_reader, db, ctx, flow_id, doing="read the job's progress"
        )
    if read_progress is state.FAILED:
        return

    @st.fragment(run_every=timedelta(seconds=seconds) if seconds else None)
    def panel() -> None:
        progress = state.run_use_case(read_progress, doing="read the job's progress")
        if progress is state.FAILED:
            return
        seen = st.session_state.setdefault(state.LAST_JOB_STATUS, {})
        previous, seen[flow_id] = seen.get(flow_id), progress["status"]
        if previous in ("queued", "running") and progress["status"] in FINISHED:
            # The job just ended: rerun the whole page so the table shows the enhanced rows.
            # Before drawing: that run draws the panel, and a panel drawn here too would
            # stay on screen beside it until the page run ends.
            st.rerun(scope="app")
        _render(progress, ctx, flow_id, may_retry)

    panel()
