"""The gap job's progress panel: drawn by the page run, kept current by the browser.

Between page runs the browser polls the web process's progress route (dashboard/
progress_endpoint.py) with a pass this run issued: no script runs while an analyst watches.
The messages and the Retry button are the page run's; the browser asks for one when the job
ends, fails, stalls or starts, or its pass runs out.
"""

import streamlit as st

from core.enhancement.job_state import JobProgress, JobStatus
from core.enhancement.jobs import retry_gap_analysis, watch_job
from core.enhancement.worker_health import any_worker_online
from dashboard import progress_endpoint, state
from dashboard.widgets import job_figures, job_panel
from dashboard.widgets.worker_health import NO_WORKER

# While the flow has no live job the panel still looks, at the longest interval offered.
IDLE_SECONDS = max(state.POLL_CHOICES.values())


def _messages(progress: JobProgress | None, flow_id: str, may_retry: bool) -> None:
    if progress is None:
        st.caption("No gap job for this flow yet. Select gaps below and analyze them.")
        return
    if progress.status is JobStatus.COMPLETED:
        st.success(f"Analysis complete: {progress.processed} gap(s) enhanced.")
    if progress.is_retryable:
        reason = "failed"
        if progress.worker_offline:
            reason = "stopped: its worker went offline"
        elif progress.stalled:
            reason = "stopped reporting progress"
        st.warning(f"The job {reason}. Retry it to continue with the gaps not yet done.")
        if may_retry and st.button("Retry", key="retry_gap_job"):
            state.call(retry_gap_analysis, flow_id, doing="retry gap jobs")
            st.rerun()


def show(flow_id: str, may_retry: bool) -> None:
    st.subheader("Job progress")
    choice = st.segmented_control(
        "Refresh every",
        list(state.POLL_CHOICES),
        default="2 s",
        key=state.POLL_SECONDS,
    )
    chosen = state.POLL_CHOICES.get(choice or "Off", 0)
    # Tenancy and the flow are checked once per page run; the pass lets the browser read the
    # job key alone until the next one.
    read_progress, token = state.call(watch_job, flow_id, doing="read the job's progress")
    progress = state.call_without_uow(read_progress, doing="read the job's progress")
    # Always in the same place, before the messages: a panel drawn elsewhere by the next run
    # would be a new element (its script started anew) where the browser drew this one.
    job_panel.show(
        job_figures.shown(progress), progress_endpoint.path(), token, chosen, IDLE_SECONDS
    )
    if state.call(any_worker_online, doing="read the workers' health") is False:
        st.warning(NO_WORKER)
    _messages(progress, flow_id, may_retry)
