"""The engagement's gap jobs, for admins: a table, and retry or reset of a failed or stalled one."""

import pandas as pd
import streamlit as st

from core.enhancement.job_state import FlowJob, JobStatus
from core.enhancement.jobs import reset_gap_job, retry_gap_analysis
from dashboard import state

PENDING_RESET = "admin_pending_reset"  # the flow whose job reset waits for a confirmation


def show(jobs: list[FlowJob]) -> None:
    st.header("Gap jobs")
    if not jobs:
        st.info("No gap job has run in this engagement yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Flow": [job.flow_name for job in jobs],
                "Status": [job.progress.shown_status for job in jobs],
                "Processed": [job.progress.processed for job in jobs],
                "Total": [job.progress.total for job in jobs],
                "Progress": [job.progress.percentage for job in jobs],
                "Errors": [len(job.progress.errors) for job in jobs],
                "Heartbeat": [state.local_time(job.progress.updated_at) for job in jobs],
            }
        ),
        hide_index=True,
        key="admin_jobs",
        column_config={
            "Progress": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%")
        },
    )
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
    if reset.button("Reset job…", key="admin_reset"):
        st.session_state[PENDING_RESET] = job_flow
    if st.session_state.get(PENDING_RESET) == job_flow:
        _confirm_reset(job_flow, broken[job_flow])


def _confirm_reset(job_flow: str, flow_name: str) -> None:
    st.warning(
        f"Reset the job of {state.plain(flow_name)}? Its progress is forgotten and nothing is"
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
