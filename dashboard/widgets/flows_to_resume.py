"""Flows that need a hand (failed, stalled, stuck, paused), with Resume behind a confirmation."""

import pandas as pd
import streamlit as st

from core.flows.orchestrator import resume_flow
from core.flows.reads import CollectionFlow
from core.kernel.context import RequestContext
from core.kernel.permissions import Action, can
from dashboard import shown_text, state
from dashboard.widgets.phase_timeline import phase_label


def show(ctx: RequestContext, needing: list[tuple[CollectionFlow, str]]) -> None:
    """`needing`: each flow with why it needs a hand."""
    st.header("Flows that need a hand")
    flash = st.session_state.pop(state.FLASH, None)
    if flash:
        st.success(shown_text.plain(flash))
    if not needing:
        st.success("Every flow is moving: nothing is failed, stalled, stuck or paused.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Flow": [flow.flow_name for flow, _ in needing],
                "Phase": [phase_label(flow.current_phase) for flow, _ in needing],
                "Status": [flow.status for flow, _ in needing],
                "Why": [reason for _, reason in needing],
                "Retries": [flow.master_flow.retry_count for flow, _ in needing],
                "Updated": [shown_text.local_time(flow.updated_at) for flow, _ in needing],
                "Open": [state.page_url("flow", str(flow.flow_id)) for flow, _ in needing],
            }
        ),
        hide_index=True,
        key="admin_flows",
        column_config={"Open": st.column_config.LinkColumn(display_text="Open flow")},
    )
    labels = {str(flow.flow_id): f"{flow.flow_name} ({reason})" for flow, reason in needing}
    chosen = st.selectbox("Flow", list(labels), format_func=labels.__getitem__, key="admin_pick")
    if can(ctx, Action.RESUME_FLOW):
        flow = next(flow for flow, _ in needing if str(flow.flow_id) == chosen)
        _resume(ctx, chosen, flow.current_phase)


def _resume(ctx: RequestContext, flow_id: str, phase: str) -> None:
    if st.session_state.get(state.PENDING_RESUME) != flow_id:
        if st.button("Resume…", key="admin_resume"):
            st.session_state[state.PENDING_RESUME] = flow_id
            st.rerun()
        return
    st.warning(f"Resume this flow? It re-runs its current phase, {phase_label(phase).lower()}.")
    yes, no = st.columns(2)
    if yes.button("Yes, resume", type="primary", key="admin_resume_confirm"):
        st.session_state.pop(state.PENDING_RESUME, None)
        with st.spinner("Resuming…"):
            outcome = state.call(resume_flow, flow_id, doing="resume flows")
        st.session_state[state.FLASH] = (
            f"Resumed: the flow ran {phase_label(outcome['current_phase']).lower()} again."
        )
        st.rerun()
    if no.button("Cancel", key="admin_resume_cancel"):
        st.session_state.pop(state.PENDING_RESUME, None)
        st.rerun()
