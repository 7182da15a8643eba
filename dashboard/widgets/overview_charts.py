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
    kind: str = "bar",
    **layout: Any,
) -> None:
    """A bar (or line) chart of `frame` (plotly express arguments `bar`) with `layout`."""
    # The title above the chart, not in it: a legend then never covers it.
    if title:
        column.markdown(f"**{title}**")
    figure = _figure(kind, frame.to_dict("records"), bar, layout)
    column.plotly_chart(figure, key=key, config={"displayModeBar": False})


@state.cached_by_arguments
def _figure(
    kind: str, rows: list[dict[str, Any]], bar: dict[str, Any], layout: dict[str, Any]
) -> Any:
    # Building and validating a figure is most of a chart's server time; it depends on these
    # arguments alone, so a rerun with the same rows reuses it (and no tenant's rows meet
    # another's figure: the rows are the key).
    draw = px.line if kind == "line" else px.bar
    return chart_style.compact(draw(pd.DataFrame(rows), **bar), **layout)


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
    # Long "client / engagement" names on lines of their own, read whole beside the bars.
    frame["Engagement"] = frame["engagement"].map(chart_style.wrapped)
    per_engagement = frame.groupby("engagement")["flows"].sum()
    bar = dict(
        x="flows",
        y="Engagement",
        color="Phase",
        orientation="h",
        category_orders={"Phase": PHASE_LABELS},
        color_discrete_map=PHASE_LABEL_COLOURS,
        labels={"flows": "Flows", "Engagement": ""},
    )
    _draw(
        frame,
        bar,
        "ov_progress",
        height=140 + 50 * len(per_engagement),
        legend_entries=frame["Phase"].nunique(),
        whole_width=True,
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
        _draw(
            frame,
            bar,
            "ov_gaps",
            left,
            "Pending gaps by attribute",
            height=120 + 30 * len(order),
            legend_entries=frame["Priority"].nunique(),
            xaxis=xaxis,
        )
    else:
        left.info("No pending gaps.")
    with_gaps = [flow for flow in flows if flow["completeness"] is not None]
    if not with_gaps:
        right.info("No flow has gaps yet: run gap analysis on a flow.")
        return
    frame = pd.DataFrame(
        {
            # The flow's name, then its engagement on a line of its own.
            "Flow": [
                " ·<br>".join(chart_style.wrapped(part, 40) for part in label.split(" · "))
                for label in flow_labels(with_gaps)
            ],
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
        # Room for two lines a flow: a long name never overlaps the next.
        height=120 + 48 * len(frame),
        legend_entries=frame["Phase"].nunique(),
        # A little room past 100 %, so a finished flow's bar is not cut at the frame.
        xaxis={"range": [0, 1.04], "tickformat": ".0%", "dtick": 0.25},
    )


def pace(
    trend: list[dict[str, Any]],
    cycle: list[dict[str, Any]],
    throughput: list[dict[str, Any]],
    colours: dict[str, str],
) -> None:
    """Is the team getting faster: per engagement and week, gaps resolved and how long a gap
    took to resolve; time per phase; gaps the jobs did per day."""
    st.subheader("Is the team getting faster")
    left, right = st.columns(2)
    engagements = len(colours)
    if any(row["resolved"] for row in trend):
        frame = pd.DataFrame(trend)
        first, last = frame["week"].min(), frame["week"].max()
        week_axis = chart_style.date_axis(first, last, step_days=7)
        line: dict[str, Any] = dict(
            x="week",
            y="resolved",
            color="engagement",
            markers=True,
            color_discrete_map=colours,
            labels={"week": "Week of", "resolved": "Gaps resolved", "engagement": ""},
        )
        _draw(
            frame,
            line,
            "ov_weekly",
            left,
            "Gaps resolved per week",
            kind="line",
            legend_entries=engagements,
            xaxis=week_axis,
            yaxis=chart_style.integer_axis(frame["resolved"].max()),
        )
        timed = frame.dropna(subset=["hours"])
        unit, per_hour = time_unit(timed["hours"].max())
        timed = timed.assign(**{unit: timed["hours"] * per_hour})
        line = dict(
            x="week",
            y=unit,
            color="engagement",
            markers=True,
            color_discrete_map=colours,
            labels={"week": "Week of", "engagement": ""},
        )
        _draw(
            timed,
            line,
            "ov_cycle_trend",
            right,
            f"Median time from a gap found to resolved ({unit.lower()}), per week",
            kind="line",
            legend_entries=engagements,
            xaxis=week_axis,
            yaxis={"rangemode": "tozero"},
        )
    else:
        left.info("No gap resolved in the last 12 weeks.")
    left, right = st.columns(2)
    if cycle:
        frame = pd.DataFrame(cycle)
        frame["Phase"] = frame["phase"].map(phase_label)
        unit, per_hour = time_unit(frame["hours"].max())
        frame[unit] = frame["hours"] * per_hour
        several = frame["engagement"].nunique() > 1
        # One engagement: each phase in its colour. Several: bars side by side in the
        # engagements' colours, one legend entry per engagement (not phases x engagements).
        bar: dict[str, Any] = dict(
            x="Phase",
            y=unit,
            color="engagement" if several else "Phase",
            barmode="group",
            category_orders={"Phase": PHASE_LABELS},
            color_discrete_map=colours if several else PHASE_LABEL_COLOURS,
            labels={"Phase": "", "engagement": ""},
            hover_data={"flows": True},
        )
        title = "Median time in each phase (flows that left it)"
        _draw(
            frame,
            bar,
            "ov_cycle",
            left,
            title,
            showlegend=several,
            legend_entries=engagements if several else 0,
        )
    else:
        left.info("No flow has left a phase yet.")
    if not throughput:
        right.info("No gap job has run in these engagements yet.")
        return
    frame = pd.DataFrame(throughput)
    bar = dict(
        x="day",
        y="gaps",
        color="engagement",
        color_discrete_map=colours,
        labels={"day": "", "gaps": "Gaps processed", "engagement": ""},
    )
    days: list[date] = list(frame["day"])
    _draw(
        frame,
        bar,
        "ov_jobs",
        right,
        title="Gaps processed by jobs per day",
        legend_entries=engagements,
        xaxis=chart_style.date_axis(min(days), max(days)),
        yaxis=chart_style.integer_axis(frame.groupby("day")["gaps"].sum().max()),
    )
