"""A flow's phase timeline (from the master's phase_transitions): a Gantt chart and a table."""

from datetime import datetime

import pandas as pd
import plotly.express as px
import streamlit as st

from dashboard import state
from db.types import utcnow


def show(transitions: list[dict], key: str) -> None:
    if not transitions:
        st.info("This flow has no phase history yet.")
        return
    starts = [datetime.fromisoformat(entry["timestamp"]) for entry in transitions]
    ends = [*starts[1:], utcnow()]
    frame = pd.DataFrame(
        {
            "Phase": [entry["phase"] for entry in transitions],
            "Status": [entry["status"] for entry in transitions],
            "Start": starts,
            "End": ends,
        }
    )
    # A zero-length bar is invisible; give each entry at least a sliver.
    frame["End"] = frame[["Start", "End"]].max(axis=1) + pd.Timedelta(seconds=1)
    chart = px.timeline(frame, x_start="Start", x_end="End", y="Phase", color="Status")
    chart.update_yaxes(autorange="reversed", title=None)
    chart.update_layout(height=80 + 32 * frame["Phase"].nunique(), margin={"t": 10, "b": 10})
    st.plotly_chart(chart, key=key)
    st.dataframe(
        pd.DataFrame(
            {
                "Phase": frame["Phase"],
                "Status": frame["Status"],
                "When": [state.local_time(moment) for moment in starts],
            }
        ),
        hide_index=True,
        key=f"{key}_table",
    )
