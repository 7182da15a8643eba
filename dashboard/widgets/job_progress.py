"""The gap job's progress panel: refreshes itself, one progress read per tick.

The refresh adapts: the chosen interval while a job is live, the longest one while the flow
has no live job (a job someone submits shows within it, and then the panel speeds up), and
none while the browser tab is hidden or the person turned it off.
"""

from datetime import timedelta

import streamlit as st

from core.enhancement.job_state import (
    ACTIVE_JOB_STATUSES,
    ENDED_JOB_STATUSES,
    JobProgress,
    JobStatus,
)
from core.enhancement.jobs import progress_reader, retry_gap_analysis
from dashboard import state
from dashboard.widgets import job_figures, tab_visibility

# While the flow has no live job the panel still looks, at the longest interval offered.
IDLE_SECONDS = max(state.POLL_CHOICES.values())


def refresh_seconds(chosen: int, progress: JobProgress | None, hidden: bool) -> int:
    """How often the panel rereads the job: 0 for never."""
    if hidden or not chosen:
        return 0
    if progress is None or not progress.is_live:
        return max(chosen, IDLE_SECONDS)
    return chosen


def _render(progress: JobProgress | None, flow_id: str, may_retry: bool) -> None:
    if progress is None:
        st.caption("No gap job for this flow yet. Select gaps above and analyze them.")
        return
    # Two elements a tick: each one drawn is a message the web process builds and sends to
    # every analyst watching, at every refresh.
    st.metric("Processed", f"{progress.processed} / {progress.total}")
    st.progress(min(progress.percentage, 100) / 100, text=job_figures.line(progress))
    if progress.status.is_active and progress.current_asset:
        # Asset names are long: a line of text, where a metric would cut them short.
        st.text(f"Current asset: {progress.current_asset}")
    for error in progress.errors:
        st.text(f"• {error}")
    if progress.status is JobStatus.COMPLETED:
        st.success(f"Analysis complete: {progress.processed} gap(s) enhanced.")
    if progress.stalled or progress.status is JobStatus.FAILED:
        reason = "stopped reporting progress" if progress.stalled else "failed"
        st.warning(f"The job {reason}. Retry it to continue with the gaps not yet done.")
        if may_retry and st.button("Retry", key="retry_gap_job"):
            state.call(retry_gap_analysis, flow_id, doing="retry gap jobs")
            st.session_state.setdefault(state.LAST_JOB_STATUS, {})[flow_id] = JobStatus.QUEUED
            st.rerun(scope="fragment")


def show(flow_id: str, may_retry: bool) -> None:
    st.subheader("Job progress")
    choice = st.segmented_control(
        "Refresh every",
        list(state.POLL_CHOICES),
        default="2 s",
        key=state.POLL_SECONDS,
    )
    chosen = state.POLL_CHOICES.get(choice or "Off", 0)
    # Tenancy and the flow are checked once per page run; each tick then reads the job key only.
    read_progress = state.call(progress_reader, flow_id, doing="read the job's progress")
    # The page run's one read: it sets the interval and is what the panel first draws.
    first = [state.run(read_progress, doing="read the job's progress")]
    seconds = refresh_seconds(chosen, first[0], tab_visibility.hidden())
    idle = seconds > chosen

    @st.fragment(run_every=timedelta(seconds=seconds) if seconds else None)
    def panel() -> None:
        if first:
            progress = first.pop()
        else:
            # The job key only: no unit of work, no database session, no authorization query
            # (the page run checked those; the next page run checks them again).
            progress = state.run(read_progress, doing="read the job's progress")
        seen = st.session_state.setdefault(state.LAST_JOB_STATUS, {})
        previous = seen.get(flow_id)
        seen[flow_id] = None if progress is None else progress.status
        ended = (
            previous in ACTIVE_JOB_STATUSES and progress and progress.status in ENDED_JOB_STATUSES
        )
        started = idle and progress is not None and progress.is_live
        if ended or started:
            # The job just ended: rerun the whole page so the table shows the enhanced rows.
            # Or a job started while the panel looked slowly: the page run sets the chosen
            # interval again. Before drawing: that run draws the panel, and a panel drawn
            # here too would stay on screen beside it until the page run ends.
            st.rerun(scope="app")
        _render(progress, flow_id, may_retry)

    panel()
