"""The Overview's charts: flows by phase, status and progress, gap mix, resolutions, jobs."""

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from core.enhancement.job_state import FlowJob
from core.kernel.phases import PHASE_ORDER


def show(
    flows: list[dict[str, Any]],
    mix: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    jobs: list[FlowJob],
) -> None:
    """Rows as the overview use cases give them, each with an `engagement` label."""
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
