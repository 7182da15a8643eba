"""Overview (managers and admins): charts of flows, progress, gap mix, resolution and jobs."""

import streamlit as st

from core.access import identity
from core.enhancement.jobs import list_job_states
from core.flows.overview import flow_summaries, gap_mix, resolutions_per_day
from dashboard import state
from dashboard.widgets import overview_charts

ctx = state.require_context()
user = st.session_state.get(state.USER)
st.title("Overview")


contexts = {"This engagement": ctx}
if user is not None:
    choices = state.call_on_accounts(
        identity.list_engagements, user.user_id, doing="list engagements"
    )
    if choices:
        by_label = {f"{c.client_name} / {c.engagement_name}": c for c in choices}
        current = next(
            (label for label, c in by_label.items() if c.engagement_id == ctx.engagement_id),
            None,
        )
        picked = st.multiselect(
            "Engagements", list(by_label), default=[current] if current else [], key="ov_eng"
        )
        contexts = {}
        for label in picked:
            choice = by_label[label]
            contexts[label] = state.call_on_accounts(
                identity.context_for,
                user.user_id,
                choice.client_account_id,
                choice.engagement_id,
                doing="open that engagement",
            )
flows, mix, resolved = [], [], []
for label, scoped in contexts.items():
    # Names go into plotly labels, which read a few HTML tags: escaped, they show as typed.
    shown = state.chart_text(label)
    for row in state.call(flow_summaries, doing="read flows", ctx=scoped):
        flows.append({**row, "flow_name": state.chart_text(row["flow_name"]), "engagement": shown})
    for row in state.call(gap_mix, doing="read gaps", ctx=scoped):
        mix.append({**row, "engagement": shown})
    for row in state.call(resolutions_per_day, doing="read gaps", ctx=scoped):
        resolved.append({**row, "engagement": shown})
jobs = state.call(list_job_states, doing="read job states")

if not flows:
    st.info("No flows in these engagements yet. Analysts create flows on the Flows page.")
    st.stop()
overview_charts.show(flows, mix, resolved, jobs)
