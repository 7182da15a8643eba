"""Admin's incident list: what is failed, stalled or stuck, since when, and its one action
(Resume behind a confirmation, Retry job, or Run again for a phase run that stopped)."""

import time
from collections import Counter

import pandas as pd
import streamlit as st

from core.catalogue.labels import phase_label
from core.enhancement.incidents import Incident, Remedy, Trouble
from core.enhancement.job_timing import ago
from core.enhancement.jobs import retry_gap_analysis
from core.enhancement.phase_run_again import run_phase_again
from core.enhancement.phase_run_health import resume_stopped_flow
from core.kernel.context import RequestContext
from core.kernel.permissions import Action, can
from dashboard import shown_text, state

# What the admin just did stays said through the panel's refreshes for a while.
DONE = "admin_incident_done"
DONE_SHOWN_SECONDS = 30


def frame(incidents: list[Incident], now: float) -> pd.DataFrame:
    """One row per incident; names and errors people or workers wrote stay text (cells)."""
    return pd.DataFrame(
        {
            "Flow": [incident.flow_name for incident in incidents],
            "Trouble": [incident.trouble_words.capitalize() for incident in incidents],
            "Since": [
                f"{shown_text.local_time(incident.since)} ({ago(now - incident.since.timestamp())})"
                for incident in incidents
            ],
            "Phase": [phase_label(incident.phase) for incident in incidents],
            "Job done": [incident.percentage for incident in incidents],
            "Action": [str(incident.remedy) for incident in incidents],
            "Last error": [incident.detail for incident in incidents],
            "Open": [state.page_url("flow", incident.flow_id) for incident in incidents],
        }
    )


def show(ctx: RequestContext, incidents: list[Incident]) -> None:
    st.header("Needs a hand")
    said = st.session_state.get(DONE)
    if said and time.time() - said[1] < DONE_SHOWN_SECONDS:
        st.success(shown_text.plain(said[0]))
    if not incidents:
        st.success("Nothing needs a hand: no flow or job is failed, stalled or stuck.")
        return
    order = list(Trouble)
    ordered = sorted(incidents, key=lambda incident: order.index(incident.trouble))
    kinds = Counter(incident.trouble_words for incident in ordered)
    said = ", ".join(f"{count} {words}" for words, count in kinds.items())
    st.markdown(f"{len(incidents)} open: {said}")
    st.dataframe(
        frame(incidents, time.time()),
        hide_index=True,
        key="admin_incidents",
        column_config={
            # As wide as its header: a fixed "small" cut "Job done" short.
            "Job done": st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.0f%%"
            ),
            "Open": st.column_config.LinkColumn(display_text="Open flow"),
        },
    )
    labels = {
        incident.flow_id: f"{incident.flow_name} ({incident.trouble})" for incident in incidents
    }
    chosen = st.selectbox(
        "Incident", list(labels), format_func=labels.__getitem__, key="admin_pick"
    )
    incident = next(incident for incident in incidents if incident.flow_id == chosen)
    if incident.remedy is Remedy.RESUME and can(ctx, Action.RESUME_FLOW):
        _resume(incident)
    elif (
        incident.remedy is Remedy.RETRY_JOB
        and can(ctx, Action.RETRY_JOB)
        and st.button("Retry job", key="admin_retry", type="primary")
    ):
        outcome = state.call(retry_gap_analysis, incident.flow_id, doing="retry jobs")
        st.session_state[DONE] = (f"Retried: {outcome['message']}.", time.time())
        st.rerun()
    elif (
        incident.remedy is Remedy.RUN_AGAIN
        and can(ctx, Action.RERUN_PHASE)
        and st.button("Run again", key="admin_run_again", type="primary")
    ):
        state.call(run_phase_again, incident.flow_id, doing="run phases again")
        words = incident.run or phase_label(incident.phase).lower()
        st.session_state[DONE] = (
            f"Queued again: the {words} of {incident.flow_name}; a worker runs it.",
            time.time(),
        )
        st.rerun()


def _resume(incident: Incident) -> None:
    flow_id = incident.flow_id
    if st.session_state.get(state.PENDING_RESUME) != flow_id:
        if st.button("Resume…", key="admin_resume", type="primary"):
            st.session_state[state.PENDING_RESUME] = flow_id
            st.rerun()
        return
    st.warning(
        f"Resume this flow? It runs its current phase, {phase_label(incident.phase).lower()},"
        " again."
    )
    yes, no = st.columns(2)
    if yes.button("Yes, resume", type="primary", key="admin_resume_confirm"):
        st.session_state.pop(state.PENDING_RESUME, None)
        with st.spinner("Resuming…"):
            outcome = state.call(resume_stopped_flow, flow_id, doing="resume flows")
        phase = phase_label(outcome["current_phase"]).lower()
        said = (
            f"Resumed: the {phase} of {incident.flow_name} is queued; a worker runs it."
            if outcome.get("mode") == "queued"
            else f"Resumed: the flow ran {phase} again."
        )
        st.session_state[DONE] = (said, time.time())
        st.rerun()
    if no.button("Cancel", key="admin_resume_cancel"):
        st.session_state.pop(state.PENDING_RESUME, None)
        st.rerun()
