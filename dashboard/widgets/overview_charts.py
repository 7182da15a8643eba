"""The Overview's charts, each answering a manager's question (rows from core/flows/overview)."""

import time
from datetime import date
from typing import Any

import pandas as pd
import plotly.express as px
import streamlit as st

from core.enhancement.job_timing import duration
from core.flows.overview import flow_labels, time_unit
from dashboard import chart_style, shown_text, state
from dashboard.palette import (
    PHASE_LABEL_COLOURS,
    PHASE_LABELS,
    PRIORITY_COLOURS,
    PRIORITY_LABELS,
    phase_label,
)


def _draw(
    frame: pd.DataFrame,
    bar: dict[str, Any],
    key: str,
    column: Any = st,
    title: str | None = None,
    **layout: Any,
) -> None:
    """A bar chart of `frame` (plotly express arguments `bar`) with `layout` applied."""
    # The title above the chart, not in it: a one-line legend then never covers it.
    if title:
        column.markdown(f"**{title}**")
    figure = _bar_figure(frame.to_dict("records"), bar, layout)
    column.plotly_chart(figure, key=key, config={"displayModeBar": False})


@state.cached_by_arguments
def _bar_figure(rows: list[dict[str, Any]], bar: dict[str, Any], layout: dict[str, Any]) -> Any:
    # Building and validating a figure is most of a chart's server time; it depends on these
    # arguments alone, so a rerun with the same rows reuses it (and no tenant's rows meet
    # another's figure: the rows are the key).
    return chart_style.compact(px.bar(pd.DataFrame(rows), **bar), **layout)


def progress(phases: list[dict[str, Any]], flows: list[dict[str, Any]], needing: int) -> None:
    """How far is each engagement: its flows stacked by phase, in phase order."""
    st.subheader("How far is each engagement")
    columns = st.columns(4)
    columns[0].metric("Flows", len(flows))
    columns[1].metric("Completed", sum(flow["status"] == "completed" for flow in flows))
    columns[2].metric("Need a hand", needing)
    columns[3].metric("Gaps pending", sum(flow["pending"] for flow in flows))
    frame = pd.DataFrame(phases)
    frame["Phase"] = frame["phase"].map(phase_label)
    per_engagement = frame.groupby("engagement")["flows"].sum()
    bar = dict(
        x="flows",
        y="engagement",
        color="Phase",
        orientation="h",
        category_orders={"Phase": PHASE_LABELS},
        color_discrete_map=PHASE_LABEL_COLOURS,
        labels={"flows": "Flows", "engagement": ""},
    )
    _draw(
        frame,
        bar,
        "ov_progress",
        height=140 + 40 * len(per_engagement),
        xaxis=chart_style.integer_axis(per_engagement.max()),
    )


def attention(rows: list[dict[str, Any]]) -> None:
    """What is stuck or failed, and since when; the longest waiting first."""
    st.subheader("What needs a hand")
    if not rows:
        st.success("Nothing is failed or stuck.")
        return
    now = time.time()
    st.dataframe(
        pd.DataFrame(
            {
                "Engagement": [row["engagement"] for row in rows],
                "Flow": [row["flow_name"] for row in rows],
                "Phase": [phase_label(row["phase"]) for row in rows],
                "Why": [row["why"] for row in rows],
                "Since": [shown_text.local_time(row["since"]) for row in rows],
                "For": [duration(now - row["since"].timestamp()) for row in rows],
            }
        ),
        hide_index=True,
        key="ov_attention",
    )


def gaps(dominant: list[dict[str, Any]], flows: list[dict[str, Any]]) -> None:
    """Which gaps dominate (pending, by priority), and how complete each flow is."""
    st.subheader("Which gaps dominate")
    left, right = st.columns(2)
    if dominant:
        frame = pd.DataFrame(dominant)
        frame["Priority"] = frame["priority"].map(PRIORITY_LABELS)
        order = frame.groupby("attribute")["gaps"].sum().sort_values(ascending=False)
        bar = dict(
            x="gaps",
            y="attribute",
            color="Priority",
            orientation="h",
            category_orders={"attribute": list(order.index), "Priority": list(PRIORITY_COLOURS)},
            color_discrete_map=PRIORITY_COLOURS,
            labels={"gaps": "Pending gaps", "attribute": ""},
        )
        xaxis = chart_style.integer_axis(order.max())
        _draw(frame, bar, "ov_gaps", left, "Pending gaps by attribute", xaxis=xaxis)
    else:
        left.info("No pending gaps.")
    with_gaps = [flow for flow in flows if flow["completeness"] is not None]
    if not with_gaps:
        right.info("No flow has gaps yet: run gap analysis on a flow.")
        return
    frame = pd.DataFrame(
        {
            "Flow": flow_labels(with_gaps),
            "Resolved": [flow["completeness"] for flow in with_gaps],
            "Phase": [phase_label(flow["current_phase"]) for flow in with_gaps],
        }
    )
    bar = dict(
        x="Resolved",
        y="Flow",
        color="Phase",
        orientation="h",
        category_orders={"Phase": PHASE_LABELS},
        color_discrete_map=PHASE_LABEL_COLOURS,
        labels={"Flow": ""},
    )
    _draw(
        frame,
        bar,
        "ov_completeness",
        right,
        "Share of each flow's gaps resolved",
        height=120 + 28 * len(frame),
        # A little room past 100 %, so a finished flow's bar is not cut at the frame.
        xaxis={"range": [0, 1.04], "tickformat": ".0%", "dtick": 0.25},
    )


def pace(
    weekly: list[dict[str, Any]],
    cycle: list[dict[str, Any]],
    throughput: list[dict[str, Any]],
) -> None:
    """Is the team getting faster: resolutions per week, time per phase, gaps the jobs did."""
    st.subheader("Is the team getting faster")
    left, right = st.columns(2)
    if any(row["resolved"] for row in weekly):
        frame = pd.DataFrame(weekly)
        bar: dict[str, Any] = dict(
            x="week",
            y="resolved",
            color="engagement",
            labels={"week": "Week of", "resolved": "Gaps resolved", "engagement": ""},
        )
        largest = frame.groupby("week")["resolved"].sum().max()
        _draw(
            frame,
            bar,
            "ov_weekly",
            left,
            "Gaps resolved per week",
            xaxis=chart_style.date_axis(frame["week"].min(), frame["week"].max(), step_days=7),
            yaxis=chart_style.integer_axis(largest),
        )
    else:
        left.info("No gap resolved in the last 12 weeks.")
    if cycle:
        frame = pd.DataFrame(cycle)
        frame["Phase"] = frame["phase"].map(phase_label)
        unit, per_hour = time_unit(frame["hours"].max())
        frame[unit] = frame["hours"] * per_hour
        several = frame["engagement"].nunique() > 1
        bar = dict(
            x="Phase",
            y=unit,
            color="Phase",
            pattern_shape="engagement" if several else None,
            barmode="group",
            category_orders={"Phase": PHASE_LABELS},
            color_discrete_map=PHASE_LABEL_COLOURS,
            labels={"Phase": ""},
            hover_data={"flows": True},
        )
        title = "Median time in each phase (flows that left it)"
        _draw(frame, bar, "ov_cycle", right, title, showlegend=several)
    else:
        right.info("No flow has left a phase yet.")
    if not throughput:
        st.info("No gap job has run in these engagements yet.")
        return
    frame = pd.DataFrame(throughput)
    bar = dict(
        x="day",
        y="gaps",
        color="engagement",
        labels={"day": "", "gaps": "Gaps processed", "engagement": ""},
    )
    days: list[date] = list(frame["day"])
    _draw(
        frame,
        bar,
        "ov_jobs",
        title="Gaps processed by jobs per day",
        xaxis=chart_style.date_axis(min(days), max(days)),
        yaxis=chart_style.integer_axis(frame.groupby("day")["gaps"].sum().max()),
    )
