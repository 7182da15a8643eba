"""The engagement's gap jobs, for admins: all of them, and retry or reset of a failed or stalled one."""

import streamlit as st

from core.enhancement.job_history import JobRecord
from core.enhancement.job_state import FlowJob, JobStatus
from core.enhancement.jobs import reset_gap_job, retry_gap_analysis
from dashboard import state
from dashboard.widgets import job_history


def show(jobs: list[FlowJob], history: list[JobRecord]) -> None:
    """Every job of the engagement (`history`); retry or reset of a flow's current one (`jobs`)."""
    st.header("Gap jobs")
    job_history.show(history, key="admin_jobs")
    broken = {
        job.flow_id: job.flow_name or job.flow_id
        for job in jobs
        if job.progress.stalled or job.progress.status is JobStatus.FAILED
    }
    if not broken:
        return
    job_flow = st.selectbox("Job", list(broken), format_func=broken.__getitem__, key="admin_job")
    retry, reset = st.columns(2)
    if retry.button("Retry job", key="admin_retry"):
        outcome = state.call(retry_gap_analysis, job_flow, doing="retry jobs")
        st.success(state.plain(outcome["message"]))
    if reset.button("Reset job", key="admin_reset"):
        state.call(reset_gap_job, job_flow, doing="reset jobs")
        st.success("The job was forgotten; the flow can take a new submission.")
