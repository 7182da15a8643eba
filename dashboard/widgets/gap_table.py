"""One page of a flow's gaps as a selectable table, under counts of every matching gap."""

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.catalogue.schema import priority_label
from core.gaps.listing import GapKey, GapPage, selection_entry
from dashboard import state

PAGE_NUMBER = "gaps_page_number"
PAGE_KEYS = "gaps_page_keys"  # the key each page read so far starts after, for one flow and filters
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


def position(flow_id: str, filters: dict[str, Any], page_size: int) -> dict[str, Any]:
    """Where the pager's page starts: after the key of the nearest page read before it (the
    database then walks one page, not every row before it), else by offset from the start."""
    number = page_number()
    keys = _page_keys(flow_id, filters)
    start = max((known for known in keys if known <= number), default=0)
    return {"after": keys.get(start), "offset": (number - start) * page_size}


def remember(page: GapPage, flow_id: str, filters: dict[str, Any]) -> None:
    """Keep where the page after this one starts."""
    if page.next_after is not None:
        _page_keys(flow_id, filters)[page_number() + 1] = page.next_after


def _page_keys(flow_id: str, filters: dict[str, Any]) -> dict[int, GapKey]:
    # One flow and filter set at a time: a change of either starts the keys afresh.
    shown = (flow_id, repr(sorted(filters.items())))
    kept = st.session_state.get(PAGE_KEYS)
    if kept is None or kept[0] != shown:
        kept = st.session_state[PAGE_KEYS] = (shown, {})
    return kept[1]


def _maybe(label: Callable[[str], str]) -> Callable[[Any], Any]:
    """`label` for a name, a blank cell left blank."""
    return lambda name: label(name) if isinstance(name, str) and name else None


def _table(page: GapPage, selected: dict[str, Any], flow_id: str) -> None:
    frame = pd.DataFrame(page.rows)
    table = pd.DataFrame(
        {
            "Asset": frame["asset_name"],
            "Asset type": frame["asset_type"].map(labels.asset_type_label),
            "Field": frame["field_name"].map(labels.field_label),
            "Gap": frame["gap_type"].map(labels.gap_type_label),
            "Category": frame["gap_category"].map(labels.category_label),
            "Priority": frame["priority"].map(priority_label),
            "Impact": frame["impact_on_sixr"].map(_maybe(labels.words)),
            "Predicted": frame["predicted_value"],
            "Confidence": frame["confidence_score"],
            "Why predicted": frame["evidence"],
            "Status": frame["resolution_status"].map(labels.gap_status_label),
            "Enhanced by": frame["source_agent"].map(_maybe(labels.agent_label)),
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
    # Each metric as wide as its value, wrapping onto a new line rather than cut with "…".
    metrics = st.container(horizontal=True, gap="large")
    counts = page.counts
    metrics.metric("Matching", f"{page.total:,} of {page.flow_total:,}", width="content")
    metrics.metric(priority_label(1), counts["priority"].get("1", 0), width="content")
    metrics.metric("Pending", counts["resolution_status"].get("pending", 0), width="content")
    metrics.metric("Resolved", counts["resolution_status"].get("resolved", 0), width="content")
    metrics.metric("Selected", selected, width="content")
    st.caption(
        "By category: "
        + ", ".join(
            f"{labels.category_label(name)} {count}"
            for name, count in page.counts["gap_category"].items()
        )
    )
