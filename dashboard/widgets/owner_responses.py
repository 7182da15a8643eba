"""On the Overview: per engagement, how owners answer their requests."""

import pandas as pd
import streamlit as st

from core.requests.progress import ResponseFigures


def _hours(hours: float | None) -> str:
    if hours is None:
        return ""
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


def show(figures: list[tuple[str, ResponseFigures]]) -> None:
    """One row per engagement: owners asked, owners who answered, the rate, the median wait."""
    asked = [(label, f) for label, f in figures if f.owners_asked]
    st.subheader("Owners' answers")
    if not asked:
        st.caption("No owner has been mailed in these engagements yet.")
        return
    frame = pd.DataFrame(
        [
            {
                "Engagement": label,
                "Owners mailed": f.owners_asked,
                "Owners who answered": f.owners_answered,
                "Response rate": f"{f.response_rate:.0%}" if f.response_rate is not None else "",
                "Median time to an answer": _hours(f.median_hours_to_answer),
            }
            for label, f in asked
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="owner_responses_table")
