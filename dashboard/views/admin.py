"""Admin: flows that need a hand (resume, with a confirmation), gap jobs, the audit trail."""

import pandas as pd
import streamlit as st

from core.access.audit import list_events
from core.enhancement.job_state import JobStatus
from core.enhancement.jobs import list_job_states
from core.flows.health import is_stuck
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.reads import list_flows
from core.inventory.spreadsheet import csv_file
from core.kernel.permissions import Action, can
from dashboard import state
from dashboard.widgets import gap_jobs

ctx = state.require_context()
st.title("Admin")
with state.session() as db:
    flows = state.run_use_case(
        list_flows,
        db,
        ctx,
        statuses=["paused", "failed", "running"],
        limit=1000,
        doing="list flows",
    )
if flows is state.FAILED:
    st.stop()
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
                with st.spinner("Resuming…"), state.session() as db:
                    outcome = state.run_use_case(
                        MasterFlowOrchestrator(db, ctx).resume_flow, chosen, doing="resume flows"
                    )
                if outcome is not state.FAILED:
                    message = f"Resumed: the flow ran {outcome['current_phase']} again."
                    st.session_state[state.FLASH] = message
                    st.rerun()
            if no.button("Cancel", key="admin_resume_cancel"):
                st.session_state.pop(state.PENDING_RESUME, None)
                st.rerun()

gap_jobs.show(jobs)

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
