"""Admin: flows that need a hand (resume, with a confirmation), gap jobs, the audit trail."""

from datetime import timedelta

import streamlit as st

from core.enhancement.job_history import list_jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.jobs import list_job_states
from core.flows.health import is_stuck
from core.flows.reads import list_flows
from dashboard import state
from dashboard.widgets import audit_trail, flows_to_resume, gap_jobs

JOBS_REFRESH_SECONDS = 5
ctx = state.require_context()
st.title("Admin")
flows = state.call(
    list_flows, statuses=["paused", "failed", "running"], limit=1000, doing="list flows"
)
jobs = state.call(list_job_states, doing="read job states")
job_of = {job.flow_id: job.progress for job in jobs}


def attention(flow) -> str:
    job = job_of.get(str(flow.flow_id))
    if flow.status == "failed":
        return "failed"
    if job and job.stalled:
        return "job stalled"
    if job and job.status is JobStatus.FAILED:
        return "job failed"
    if is_stuck(flow.status, flow.updated_at, has_live_job=job is not None and job.is_live):
        return "stuck"
    return "paused" if flow.status == "paused" else ""


needing = [(flow, attention(flow)) for flow in flows]
flows_to_resume.show(ctx, [(flow, reason) for flow, reason in needing if reason])


@st.fragment(run_every=timedelta(seconds=JOBS_REFRESH_SECONDS))
def jobs_panel() -> None:
    # Refreshes by itself: running jobs move on the admin's screen without a click.
    current = state.call(list_job_states, doing="read job states")
    gap_jobs.show(current, state.call(list_jobs, doing="read the job history"))


jobs_panel()
audit_trail.show()
