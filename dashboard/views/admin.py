"""Admin: flows that need a hand (resume, with a confirmation), gap jobs, the audit trail."""

import pandas as pd
import streamlit as st

from core.access.audit import list_events
from core.enhancement.jobs import list_job_states, reset_gap_job, retry_gap_analysis
from core.flows.health import is_stuck
from core.flows.orchestrator import resume_flow
from core.flows.reads import list_flows
from core.inventory.spreadsheet import csv_file
from core.kernel.permissions import Action, can
from dashboard import state

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
st.header("Flows that need a hand")
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(state.plain(flash))
if not needing:
    st.success("Every flow is moving: nothing is failed, stalled, stuck or paused.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Flow": [flow.flow_name for flow, _ in needing],
                "Phase": [flow.current_phase for flow, _ in needing],
                "Status": [flow.status for flow, _ in needing],
                "Why": [reason for _, reason in needing],
                "Retries": [flow.master_flow.retry_count for flow, _ in needing],
                "Updated": [state.local_time(flow.updated_at) for flow, _ in needing],
            }
        ),
        hide_index=True,
        key="admin_flows",
    )
    labels = {str(flow.flow_id): f"{flow.flow_name} ({reason})" for flow, reason in needing}
    chosen = st.selectbox("Flow", list(labels), format_func=labels.__getitem__, key="admin_pick")
    flow = next(flow for flow, _ in needing if str(flow.flow_id) == chosen)
    pending = st.session_state.get(state.PENDING_RESUME)
    if can(ctx, Action.RESUME_FLOW):
        if pending != chosen:
            if st.button("Resume…", key="admin_resume"):
                st.session_state[state.PENDING_RESUME] = chosen
                st.rerun()
        else:
            st.warning(f"Resume this flow? It re-runs its current phase, {flow.current_phase}.")
            yes, no = st.columns(2)
            if yes.button("Yes, resume", type="primary", key="admin_resume_confirm"):
                st.session_state.pop(state.PENDING_RESUME, None)
                with st.spinner("Resuming…"):
                    outcome = state.call(resume_flow, chosen, doing="resume flows")
                message = f"Resumed: the flow ran {outcome['current_phase']} again."
                st.session_state[state.FLASH] = message
                st.rerun()
            if no.button("Cancel", key="admin_resume_cancel"):
                st.session_state.pop(state.PENDING_RESUME, None)
                st.rerun()

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

st.header("Audit trail")
action_filter, limit_filter = st.columns([3, 1])
action = action_filter.text_input("Action (exact, e.g. flow_resumed)", key="audit_action")
limit = limit_filter.number_input("Latest", min_value=10, max_value=5000, value=500, step=100)
with state.session() as db:
    events = state.run_use_case(
        list_events,
        db,
        ctx,
        action=action.strip() or None,
        limit=int(limit),
        doing="read the audit trail",
    )
if events is not state.FAILED:
    if not events:
        st.info("No event matches.")
    else:
        audit = pd.DataFrame(
            {
                "When": [state.local_time(event.occurred_at) for event in events],
                "Action": [event.action for event in events],
                "User": [str(event.user_id or "") for event in events],
                "Flow": [str(event.flow_id or "") for event in events],
                "Details": [str(event.details) for event in events],
            }
        )
        st.dataframe(audit, hide_index=True, key="admin_audit")
        st.download_button(
            "Download CSV",
            csv_file(list(audit.columns), audit.itertuples(index=False, name=None)),
            file_name="audit.csv",
            mime="text/csv",
            key="admin_audit_csv",
        )
