"""The engagement's gap jobs, for admins: all of them, and retry or reset of a failed or stalled one."""

import streamlit as st

from core.enhancement.job_history import JobRecord
from core.enhancement.job_state import FlowJob
from core.enhancement.jobs import reset_gap_job, retry_gap_analysis
from dashboard import shown_text, state
from dashboard.widgets import job_history

PENDING_RESET = "admin_pending_reset"  # the flow whose job reset waits for a confirmation


def show(jobs: list[FlowJob], history: list[JobRecord]) -> None:
    """Every job of the engagement (`history`); retry or reset of a flow's current one (`jobs`)."""
    st.header("Gap jobs")
    job_history.show(history, key="admin_jobs")
    broken = {
        job.flow_id: job.flow_name or job.flow_id for job in jobs if job.progress.is_retryable
    }
    if not broken:
        return
    job_flow = st.selectbox("Job", list(broken), format_func=broken.__getitem__, key="admin_job")
    retry, reset = st.columns(2)
    if retry.button("Retry job", key="admin_retry"):
        outcome = state.call(retry_gap_analysis, job_flow, doing="retry jobs")
        st.success(shown_text.plain(outcome["message"]))
    if reset.button("Reset job…", key="admin_reset"):
        st.session_state[PENDING_RESET] = job_flow
    if st.session_state.get(PENDING_RESET) == job_flow:
        _confirm_reset(job_flow, broken[job_flow])


def _confirm_reset(job_flow: str, flow_name: str) -> None:
    st.warning(
        f"Reset the job of {shown_text.plain(flow_name)}? Its progress is forgotten and nothing is"
        " retried; the flow can then take a new submission."
    )
    yes, no = st.columns(2)
    if yes.button("Yes, reset", type="primary", key="admin_reset_confirm"):
        st.session_state.pop(PENDING_RESET, None)
        state.call(reset_gap_job, job_flow, doing="reset jobs")
        st.success("The job was forgotten; the flow can take a new submission.")
    if no.button("Cancel", key="admin_reset_cancel"):
        st.session_state.pop(PENDING_RESET, None)
        st.rerun()
