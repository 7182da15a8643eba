"""Admin: flows that need a hand (resume, with a confirmation), gap jobs, the audit trail."""

import pandas as pd
import streamlit as st

from core.enhancement.jobs import list_job_states, reset_gap_job, retry_gap_analysis
from core.flows.health import is_stuck
from core.flows.reads import list_flows
from dashboard import state
from dashboard.widgets import audit_trail, flows_to_resume

ctx = state.require_context()
st.title("Admin")
flows = state.call(
    list_flows, statuses=["paused", "failed", "running"], limit=1000, doing="list flows"
)
# Its own session: reading the job store ends the transaction, which would expire the flows.
with state.session() as db:
    jobs = state.run_use_case(list_job_states, db, ctx, doing="read job states")
if jobs is state.FAILED:
    st.stop()
job_of = {job["flow_id"]: job for job in jobs}


def attention(flow) -> str:
    job = job_of.get(str(flow.flow_id))
    if flow.status == "failed":
        return "failed"
    if job and job.get("stalled"):
        return "job stalled"
    if job and job.get("status") == "failed":
        return "job failed"
    if is_stuck(flow.status, flow.updated_at, job):
        return "stuck"
    return "paused" if flow.status == "paused" else ""


needing = [(flow, attention(flow)) for flow in flows]
needing = [(flow, reason) for flow, reason in needing if reason]
flows_to_resume.show(ctx, needing)

st.header("Gap jobs")
if not jobs:
    st.info("No gap job has run in this engagement yet.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Flow": [job.get("flow_name") for job in jobs],
                "Status": ["stalled" if job.get("stalled") else job["status"] for job in jobs],
                "Processed": [job.get("processed", 0) for job in jobs],
                "Total": [job.get("total", 0) for job in jobs],
                "Progress": [float(job.get("percentage") or 0) for job in jobs],
                "Errors": [len(job.get("errors") or []) for job in jobs],
                "Heartbeat": [state.local_time(job.get("updated_at")) for job in jobs],
            }
        ),
        hide_index=True,
        key="admin_jobs",
        column_config={
            "Progress": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f%%")
        },
    )
    broken = {
        job["flow_id"]: job for job in jobs if job.get("stalled") or job["status"] == "failed"
    }
    if broken:
        names = {flow_id: job.get("flow_name") or flow_id for flow_id, job in broken.items()}
        job_flow = st.selectbox("Job", list(names), format_func=names.__getitem__, key="admin_job")
        retry, reset = st.columns(2)
        if retry.button("Retry job", key="admin_retry"):
            with state.session() as db:
                outcome = state.run_use_case(
                    retry_gap_analysis, db, ctx, job_flow, doing="retry jobs"
                )
            if outcome is not state.FAILED:
                st.success(state.plain(outcome["message"]))
        if reset.button("Reset job", key="admin_reset"):
            with state.session() as db:
                outcome = state.run_use_case(reset_gap_job, db, ctx, job_flow, doing="reset jobs")
            if outcome is not state.FAILED:
                st.success("The job was forgotten; the flow can take a new submission.")

audit_trail.show()
