"""Overview (managers and admins): charts of flows, progress, gap mix, resolution and jobs."""

import pandas as pd
import plotly.express as px
import streamlit as st

from core.access import identity
from core.enhancement.jobs import list_job_states
from core.flows.overview import flow_summaries, gap_mix, resolutions_per_day
from core.flows.phases import PHASE_ORDER
from dashboard import state

ctx = state.require_context()
user = st.session_state.get(state.USER)
st.title("Overview")


def rows(result) -> list:
    return [] if result is state.FAILED else result


with state.session() as db:
    contexts = {"This engagement": ctx}
    if user is not None:
        choices = state.run_use_case(
            identity.list_engagements, db, user.user_id, doing="list engagements"
        )
        if choices is not state.FAILED:
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
                scoped = state.run_use_case(
                    identity.context_for,
                    db,
                    user.user_id,
                    choice.client_account_id,
                    choice.engagement_id,
                    doing="open that engagement",
                )
                if scoped is not state.FAILED:
                    contexts[label] = scoped
    flows, mix, resolved = [], [], []
    for label, scoped in contexts.items():
        # Names go into plotly labels, which read a few HTML tags: escaped, they show as typed.
        shown = state.chart_text(label)
        for row in rows(state.run_use_case(flow_summaries, db, scoped, doing="read flows")):
            flows.append(
                {**row, "flow_name": state.chart_text(row["flow_name"]), "engagement": shown}
            )
        for row in rows(state.run_use_case(gap_mix, db, scoped, doing="read gaps")):
            mix.append({**row, "engagement": shown})
        for row in rows(state.run_use_case(resolutions_per_day, db, scoped, doing="read gaps")):
            resolved.append({**row, "engagement": shown})
# After the session above has ended: on SQLite its transaction holds the database's write lock.
with state.unit_of_work() as uow:
    jobs = rows(state.run_use_case(list_job_states, uow, doing="read job states"))

if not flows:
    st.info("No flows in these engagements yet. Analysts create flows on the Flows page.")
    st.stop()

flows_frame = pd.DataFrame(flows)
phase_order = {"current_phase": [str(phase) for phase in PHASE_ORDER]}
left, right = st.columns(2)
left.plotly_chart(
    px.histogram(
        flows_frame,
        x="current_phase",
        color="engagement",
        title="Flows by phase",
        category_orders=phase_order,
    ).update_layout(bargap=0.2),
    key="ov_phase",
)
right.plotly_chart(
    px.histogram(flows_frame, x="status", color="engagement", title="Flows by status"),
    key="ov_status",
)
left, right = st.columns(2)
left.plotly_chart(
    px.histogram(
        flows_frame,
        x="progress_percentage",
        nbins=10,
        range_x=[0, 100],
        title="Progress distribution",
        labels={"progress_percentage": "progress %"},
    ),
    key="ov_progress",
)
complete = flows_frame.dropna(subset=["completeness"])
right.plotly_chart(
    px.bar(
        complete,
        x="completeness",
        y="flow_name",
        orientation="h",
        range_x=[0, 1],
        title="Completeness per flow (share of gaps resolved)",
        labels={"flow_name": ""},
    ).update_xaxes(tickformat=".0%"),
    key="ov_completeness",
)
if mix:
    mix_frame = pd.DataFrame(mix)
    mix_frame["priority"] = "P" + mix_frame["priority"].astype(str)
    left, right = st.columns(2)
    left.plotly_chart(
        px.bar(
            mix_frame,
            x="category",
            y="gaps",
            color="priority",
            title="Gaps by category and priority",
            category_orders={"priority": ["P1", "P2", "P3", "P4"]},
        ),
        key="ov_mix",
    )
    right.plotly_chart(
        px.bar(
            mix_frame, x="status", y="gaps", color="category", title="Gaps by resolution status"
        ),
        key="ov_mix_status",
    )
else:
    st.info("No gaps yet: run gap analysis on a flow to see the gap mix.")
left, right = st.columns(2)
if resolved:
    left.plotly_chart(
        px.bar(
            pd.DataFrame(resolved),
            x="day",
            y="resolved",
            color="engagement",
            title="Gaps resolved per day (last 90 days)",
        ),
        key="ov_resolved",
    )
else:
    left.info("No gap resolved in the last 90 days.")
if jobs:
    jobs_frame = pd.DataFrame(
        {
            "hour": [job.progress.updated_at for job in jobs],
            "processed": [job.progress.processed for job in jobs],
            "status": [str(job.progress.status) for job in jobs],
        }
    )
    jobs_frame["hour"] = pd.to_datetime(jobs_frame["hour"], utc=True).dt.floor("h")
    right.plotly_chart(
        px.bar(
            jobs_frame,
            x="hour",
            y="processed",
            color="status",
            title="Gap-job throughput (gaps processed, by hour of last update)",
        ),
        key="ov_jobs",
    )
else:
    right.info("No gap job has run in this engagement yet.")
