"""Admin: the incident list (what is failed, stalled or stuck, each with its one action), the
workers and the queue, every gap job, and the audit trail."""

from datetime import timedelta
from typing import Any

import streamlit as st

from core.enhancement.incidents import list_incidents
from core.enhancement.job_history import list_jobs
from core.enhancement.worker_health import read_worker_health
from dashboard import shown_text, state
from dashboard.widgets import audit_trail, incidents, job_history, worker_health

REFRESH_SECONDS = 5
ctx = state.require_context()
st.title("Admin")


def _read() -> dict[str, Any]:
    return {
        "incidents": state.call(list_incidents, doing="read what needs a hand"),
        "health": state.call(read_worker_health, doing="read the workers' health"),
        "jobs": state.call(list_jobs, doing="read the job history"),
    }


# The page run's read draws the panel once; each refresh of the panel reads afresh.
first = _read()
# Something may change by itself: an incident is open, a job is live, or a worker reports (it
# may go offline). Otherwise the panel stays still and leaves a click on the page alone.
watching = (
    bool(first["incidents"])
    or any(job.heartbeat_at for job in first["jobs"])
    or bool(first["health"].workers)
)


@st.fragment(run_every=timedelta(seconds=REFRESH_SECONDS) if watching else None)
def live_panel() -> None:
    shown = unshown.pop() if unshown else _read()
    incidents.show(ctx, shown["incidents"])
    worker_health.show(shown["health"])
    st.header("Gap jobs")
    for job in shown["jobs"]:
        if job.heartbeat_at:  # live: said in words above the table, as it goes
            st.caption(
                f"{job.status.capitalize()}: {shown_text.plain(job.flow_name)}, {job.processed} / {job.total} gaps"
            )
    job_history.show(shown["jobs"], key="admin_jobs")


unshown = [first]
live_panel()
audit_trail.show()
