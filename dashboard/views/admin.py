"""Admin: flows that need a hand (resume, with a confirmation), gap jobs, the audit trail."""

from datetime import timedelta

import streamlit as st

from core.enhancement.job_history import list_jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.jobs import list_job_states
from core.flows.health import is_stuck
from core.flows.reads import CollectionFlow, list_flows
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


def attention(flow: CollectionFlow) -> str:
    job = job_of.get(str(flow.flow_id))
    if flow.status == "failed":
        return "failed"
    if job and job.stalled:
        return "job stalled"
    if job and job.status is JobStatus.FAILED:
        return "job failed"
    live = job is not None and job.is_live
    if is_stuck(flow.status, flow.updated_at, has_live_job=live, phase=flow.current_phase):
        return "stuck"
    return "paused" if flow.status == "paused" else ""


needing = [(flow, attention(flow)) for flow in flows]
flows_to_resume.show(ctx, [(flow, reason) for flow, reason in needing if reason])


# Refreshes by itself while a job runs; idle, it leaves the page (and a click on it) alone.
live = any(job.progress.is_live for job in jobs)


@st.fragment(run_every=timedelta(seconds=JOBS_REFRESH_SECONDS) if live else None)
def jobs_panel() -> None:
    current = state.call(list_job_states, doing="read job states")
    if live and not any(job.progress.is_live for job in current):
        st.rerun(scope="app")  # the last job ended: the whole page shows it, and stops ticking
    gap_jobs.show(current, state.call(list_jobs, doing="read the job history"))


jobs_panel()
audit_trail.show()
