"""One flow: status, the phase stepper, the next action, stuck warning, exports."""

import streamlit as st

from core.catalogue import labels
from core.catalogue.labels import phase_label
from core.enhancement.jobs import read_job_progress
from core.flows.health import is_stuck, may_be_stuck
from core.flows.phase_steps import flow_steps
from core.kernel.permissions import Action, can
from dashboard import shown_text, state
from dashboard.widgets import (
    exports,
    flow_picker,
    flow_status,
    phase_actions,
    phase_run_panel,
    phase_timeline,
)

ctx = state.require_context()
flow = flow_picker.show(key="flow_page_picker")
if flow is None:
    st.stop()
flow_id = str(flow.flow_id)
phase_run, phase_run_pass = phase_run_panel.watch(flow_id)
running = phase_run is not None and phase_run.is_live
# A queued or running phase run says itself how it is (live, stalled, worker offline) and what
# to do (start it again), rather than "resume".
run_says_it = phase_run is not None and phase_run.run.status.is_active
stuck = False
if not run_says_it and may_be_stuck(flow.status, flow.updated_at, phase=flow.current_phase):
    job = state.call_or_none(read_job_progress, flow_id, doing="read the job")
    live = job is not None and job.is_live
    stuck = is_stuck(flow.status, flow.updated_at, live, phase=flow.current_phase)

st.title(shown_text.plain(flow.flow_name))
st.caption(f"Updated {shown_text.local_time(flow.updated_at)}")
# Each metric as wide as its value, wrapping rather than cut with "…".
metrics = st.container(horizontal=True, gap="large")
metrics.metric("Phase", phase_label(flow.current_phase), width="content")
status = flow_status.said(ctx, flow)
metrics.metric("Status", status, width="content")
metrics.metric("Tier", labels.tier_label(flow.automation_tier), width="content")
st.progress(
    flow.progress_percentage / 100, text=f"{flow.progress_percentage:.0f}% through the phases"
)
if stuck:
    st.warning(
        "This flow looks stuck: it is running, no job is working on it, and it has not changed"
        " for a while. An admin can resume it."
    )

links = st.columns(3)
links[0].page_link(
    "views/gaps.py", label="Gaps", icon=":material/rule:", query_params={"flow": flow_id}
)
links[1].page_link(
    "views/questionnaires.py",
    label="Questionnaires",
    icon=":material/quiz:",
    query_params={"flow": flow_id},
)

st.header("Phases")
steps = state.call(flow_steps, flow_id, doing="read the flow's phases")
phase_timeline.show(steps, key="timeline", waiting=status)

st.header("Next step")
phase_run_panel.show(phase_run, phase_run_pass)
phase_actions.show(flow, may_run=can(ctx, Action.RUN_PHASE), busy=running)

if can(ctx, Action.EXPORT):
    exports.show(ctx, flow)
