"""Overview (managers and admins): how far each engagement is, what needs a hand, which gaps
dominate, and whether the team is getting faster."""

import streamlit as st

from core.access import identity
from core.flows import overview, trend
from dashboard import palette, shown_text, state
from dashboard.widgets import overview_charts, owner_responses
from dashboard.widgets.overview_reads import engagement_reads

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
        # The engagements picked last time (kept by id, across pages), else this one.
        kept = st.session_state.get(state.OVERVIEW_ENGAGEMENTS, [ctx.engagement_id])
        default = [label for label, c in by_label.items() if c.engagement_id in kept]
        picked = st.multiselect("Engagements", list(by_label), default=default, key="ov_eng")
        st.session_state[state.OVERVIEW_ENGAGEMENTS] = [
            by_label[label].engagement_id for label in picked
        ]
        contexts = {}
        for label in picked:
            choice = by_label[label]
            contexts[label] = state.call_on_accounts(
                identity.context_for,
                user.user_id,
                choice.client_account_id,
                choice.engagement_id,
                sign_in_session_id=ctx.sign_in_session_id,
                doing="open that engagement",
            )


flows, pending, resolution_weeks, histories, job_rows, current_jobs = [], [], [], [], [], {}
responses = []
for label, scoped in contexts.items():
    (
        flow_rows,
        pending_rows,
        weeks,
        transitions_of_flows,
        jobs,
        response,
        flow_jobs,
        runs,
    ) = state.call(engagement_reads, doing="read the engagement", ctx=scoped)
    # Names go into plotly labels, which read a few HTML tags: escaped, they show as typed.
    shown = shown_text.chart_text(label)
    for row in flow_rows:
        flows.append(
            {**row, "flow_name": shown_text.chart_text(row["flow_name"]), "engagement": shown}
        )
    pending.extend(pending_rows)
    for week in weeks:
        resolution_weeks.append((shown, *week))
    for transitions in transitions_of_flows:
        histories.append((shown, transitions))
    for job in jobs:
        job_rows.append((shown, job.finished_at or job.submitted_at, job.processed))
    responses.append((label, response))
    for flow_job in flow_jobs:
        current_jobs[flow_job.flow_id] = {
            "status": "live" if flow_job.progress.is_live else flow_job.progress.shown_status,
            "retryable": flow_job.progress.is_retryable,
            "since": flow_job.progress.updated_at,
        }
    # A long phase run (a gap scan of 100k assets) keeps its flow live like a gap job does.
    for flow_id, run in runs.items():
        held = current_jobs.get(flow_id, {})
        if held.get("status") == "live" or held.get("retryable"):
            continue  # the gap job's own trouble or life is said first
        current_jobs[flow_id] = {
            "status": "live" if run.is_live else run.shown_status,
            "retryable": not run.is_live,
            "since": run.since,
            "what": run.run.words.capitalize(),
        }

if not flows:
    st.info("No flows in these engagements yet. Analysts create flows on the Flows page.")
    st.stop()
needing = overview.needs_attention(flows, current_jobs)
overview_charts.progress(overview.phase_counts(flows), flows, len(needing))
overview_charts.attention(needing)
overview_charts.gaps(overview.dominant_gaps(pending), flows)
overview_charts.pace(
    trend.weekly_trend_of_weeks(resolution_weeks),
    overview.phase_durations(histories),
    overview.daily_throughput(job_rows),
    palette.engagement_colours([shown_text.chart_text(label) for label in contexts]),
)
owner_responses.show(responses)
