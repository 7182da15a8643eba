"""The Overview's charts: flows by phase, status and progress, gap mix, resolutions, jobs."""

from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from core.enhancement.job_state import FlowJob
from core.kernel.phases import PHASE_ORDER
from dashboard import state


def show(
    flows: list[dict[str, Any]],
    mix: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    jobs: list[FlowJob],
) -> None:
    """Rows as the overview use cases give them, each with an `engagement` label."""
    job_rows = [
        (job.progress.updated_at, job.progress.processed, str(job.progress.status)) for job in jobs
    ]
    figures = _figures(flows, mix, resolved, job_rows)
    left, right = st.columns(2)
    left.plotly_chart(figures["phase"], key="ov_phase")
    right.plotly_chart(figures["status"], key="ov_status")
    left, right = st.columns(2)
    left.plotly_chart(figures["progress"], key="ov_progress")
    right.plotly_chart(figures["completeness"], key="ov_completeness")
    if mix:
        left, right = st.columns(2)
        left.plotly_chart(figures["mix"], key="ov_mix")
        right.plotly_chart(figures["mix_status"], key="ov_mix_status")
    else:
        st.info("No gaps yet: run gap analysis on a flow to see the gap mix.")
    left, right = st.columns(2)
    if resolved:
        left.plotly_chart(figures["resolved"], key="ov_resolved")
    else:
        left.info("No gap resolved in the last 90 days.")
    if jobs:
        right.plotly_chart(figures["jobs"], key="ov_jobs")
    else:
        right.info("No gap job has run in this engagement yet.")


# Building a figure costs 20-30 ms of CPU, unpickling a cached one under 2 ms: the figures are
# a function of the rows alone (the cache key), so a rerun with the same rows reuses them,
# and rows of one tenant never draw another's figures.
@state.cached_by_arguments
def _figures(
    flows: list[dict[str, Any]],
    mix: list[dict[str, Any]],
    resolved: list[dict[str, Any]],
    job_rows: list[tuple[Any, int, str]],
) -> dict[str, Any]:
    flows_frame = pd.DataFrame(flows)
    phase_order = {"current_phase": [str(phase) for phase in PHASE_ORDER]}
    figures = {
        "phase": px.histogram(
            flows_frame,
            x="current_phase",
            color="engagement",
            title="Flows by phase",
            category_orders=phase_order,
        ).update_layout(bargap=0.2),
        "status": px.histogram(
            flows_frame, x="status", color="engagement", title="Flows by status"
        ),
        "progress": px.histogram(
            flows_frame,
            x="progress_percentage",
            nbins=10,
            range_x=[0, 100],
            title="Progress distribution",
            labels={"progress_percentage": "progress %"},
        ),
        "completeness": px.bar(
            flows_frame.dropna(subset=["completeness"]),
            x="completeness",
            y="flow_name",
            orientation="h",
            range_x=[0, 1],
            title="Completeness per flow (share of gaps resolved)",
            labels={"flow_name": ""},
        ).update_xaxes(tickformat=".0%"),
    }
    if mix:
        mix_frame = pd.DataFrame(mix)
        mix_frame["priority"] = "P" + mix_frame["priority"].astype(str)
        figures["mix"] = px.bar(
            mix_frame,
            x="category",
            y="gaps",
            color="priority",
            title="Gaps by category and priority",
            category_orders={"priority": ["P1", "P2", "P3", "P4"]},
        )
        figures["mix_status"] = px.bar(
            mix_frame, x="status", y="gaps", color="category", title="Gaps by resolution status"
        )
    if resolved:
        figures["resolved"] = px.bar(
            pd.DataFrame(resolved),
            x="day",
            y="resolved",
            color="engagement",
            title="Gaps resolved per day (last 90 days)",
        )
    if job_rows:
        jobs_frame = pd.DataFrame(job_rows, columns=["hour", "processed", "status"])
        jobs_frame["hour"] = pd.to_datetime(jobs_frame["hour"], utc=True).dt.floor("h")
        figures["jobs"] = px.bar(
            jobs_frame,
            x="hour",
            y="processed",
            color="status",
            title="Gap-job throughput (gaps processed, by hour of last update)",
        )
    return figures
