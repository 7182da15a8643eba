"""One page of a flow's gaps as a selectable table, under counts of every matching gap."""

from typing import Any

import pandas as pd
import streamlit as st

from core.gaps.listing import GapPage, selection_entry
from dashboard import state

PAGE_NUMBER = "gaps_page_number"
TABLE_KEY = "gaps_table_key"  # where the table's current key is kept (tests select through it)


def show(page: GapPage, selected: dict[str, Any], flow_id: str, page_size: int) -> None:
    """The counts, the table and its pager; rows picked in the table update `selected`."""
    summary = st.container()  # filled after the table, so "Selected" counts this run
    if not page.rows:
        st.info("No gap matches these filters; clear some filters.")
    else:
        _table(page, selected, flow_id)
        pages = max(1, -(-page.total // page_size))
        if pages > 1:
            st.number_input(
                f"Page (of {pages}, {page_size} rows each)",
                min_value=1,
                max_value=pages,
                key=PAGE_NUMBER,
            )
    with summary:
        _summary(page, len(selected))


def page_number() -> int:
    """The page the pager shows, from 0."""
    return st.session_state.get(PAGE_NUMBER, 1) - 1


def _table(page: GapPage, selected: dict[str, Any], flow_id: str) -> None:
    frame = pd.DataFrame(page.rows)
    table = pd.DataFrame(
        {
            "Asset": frame["asset_name"],
            "Asset type": frame["asset_type"],
            "Field": frame["field_name"],
            "Gap": frame["gap_type"],
            "Category": frame["gap_category"],
            "Priority": frame["priority"],
            "Impact": frame["impact_on_sixr"],
            "Predicted": frame["predicted_value"],
            "Confidence": frame["confidence_score"],
            "Why predicted": frame["evidence"],
            "Status": frame["resolution_status"],
            "Enhanced by": frame["source_agent"],
        }
    )
    ids = [str(value) for value in frame["id"]]
    # A new key whenever code (not the table) changed the selection, so the table shows it.
    version = (flow_id, page.filters, page_number(), state.selection_version())
    table_key = f"gaps_table_{abs(hash(version))}"
    st.session_state[TABLE_KEY] = table_key
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=table_key,
        placeholder="–",
        selection_default={
            "selection": {"rows": [i for i, gap_id in enumerate(ids) if gap_id in selected]}
        },
        column_config={
            "Confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0.0, max_value=1.0, format="percent"
            ),
        },
    )
    chosen = set(event.selection.rows)
    for index, gap_id in enumerate(ids):
        if index in chosen:
            selected[gap_id] = selection_entry(page.rows[index])
        else:
            selected.pop(gap_id, None)


def _summary(page: GapPage, selected: int) -> None:
    metrics = st.columns(5)
    metrics[0].metric("Matching", f"{page.total:,} of {page.flow_total:,}")
    metrics[1].metric("Critical (P1)", page.counts["priority"].get("1", 0))
    metrics[2].metric("Pending", page.counts["resolution_status"].get("pending", 0))
    metrics[3].metric("Resolved", page.counts["resolution_status"].get("resolved", 0))
    metrics[4].metric("Selected", selected)
    st.caption(
        "By category: "
        + ", ".join(f"{name} {count}" for name, count in page.counts["gap_category"].items())
    )
