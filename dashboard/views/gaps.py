"""Gaps: filter, select (across pages), submit to the workers, watch the job's progress."""

import pandas as pd
import streamlit as st

from core.enhancement.job_state import JobStatus
from core.enhancement.jobs import submit_gap_analysis
from core.gaps.listing import GapFilters, page_gaps, selectable_gaps, selection_entry
from core.kernel.inputs import MAX_FILTER_LENGTH
from core.kernel.permissions import Action, can
from dashboard import state
from dashboard.widgets import flow_picker, job_progress

PAGE_SIZE = 500
MAX_SELECTION = 200
ctx = state.require_context()
options = state.filter_options()
with state.session() as db:
    flow = flow_picker.show(db, ctx, key="gaps_page_picker")
if flow is None:
    st.stop()
flow_id = str(flow.flow_id)
st.title(f"Gaps · {state.plain(flow.flow_name)}")
st.caption(f"Phase: {flow.current_phase.replace('_', ' ')} · status: {flow.status}")

columns = st.columns([2, 1, 1, 1, 2])
filters = state.run_use_case(
    GapFilters,
    categories=tuple(columns[0].multiselect("Category", options["gap_categories"], key="gf_cat")),
    priorities=tuple(columns[1].multiselect("Priority", options["priorities"], key="gf_prio")),
    gap_types=tuple(columns[2].multiselect("Gap type", options["gap_types"], key="gf_type")),
    statuses=tuple(columns[3].multiselect("Status", options["gap_statuses"], key="gf_status")),
    asset_name_contains=columns[4].text_input(
        "Asset name contains", max_chars=MAX_FILTER_LENGTH, key="gf_asset"
    ),
    doing="filter gaps",
)
if filters is state.FAILED:
    st.stop()
page_number = st.session_state.get("gaps_page_number", 1) - 1
with state.session() as db:
    page = state.run_use_case(
        page_gaps,
        db,
        ctx,
        flow_id,
        filters,
        limit=PAGE_SIZE,
        offset=page_number * PAGE_SIZE,
        doing="list gaps",
    )
if page is state.FAILED:
    st.stop()
selected = state.selected_gaps(flow_id)

if page.flow_total == 0:
    st.info(
        "No gaps in this flow yet. Run gap analysis from the Flow page: it scans the selected"
        " assets for missing and invalid attributes."
    )
    st.page_link("views/flow.py", label="Open the flow", query_params={"flow": flow_id})
    st.stop()

summary = st.container()  # filled after the table, so "Selected" counts this run

if not page.rows:
    st.info("No gap matches these filters; clear some filters.")
else:
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
            "Status": frame["resolution_status"],
            "Enhanced by": frame["source_agent"],
        }
    )
    ids = [str(value) for value in frame["id"]]
    table_key = (
        f"gaps_table_{abs(hash((flow_id, filters, page_number, state.selection_version())))}"
    )
    st.session_state["gaps_table_key"] = table_key
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
    pages = max(1, -(-page.total // PAGE_SIZE))
    if pages > 1:
        st.number_input(
            f"Page (of {pages}, {PAGE_SIZE} rows each)",
            min_value=1,
            max_value=pages,
            key="gaps_page_number",
        )

with summary:
    metrics = st.columns(5)
    metrics[0].metric("Matching", f"{page.total:,} of {page.flow_total:,}")
    metrics[1].metric("Critical (P1)", page.counts["priority"].get("1", 0))
    metrics[2].metric("Pending", page.counts["resolution_status"].get("pending", 0))
    metrics[3].metric("Resolved", page.counts["resolution_status"].get("resolved", 0))
    metrics[4].metric("Selected", len(selected))
    st.caption(
        "By category: "
        + ", ".join(f"{name} {count}" for name, count in page.counts["gap_category"].items())
    )

left, middle, right = st.columns([2, 1, 3])
if left.button(f"Select all matching (up to {MAX_SELECTION})", key="gaps_select_all"):
    with state.session() as db:
        matching = state.run_use_case(
            selectable_gaps, db, ctx, flow_id, filters, limit=MAX_SELECTION, doing="select gaps"
        )
    if matching is not state.FAILED:
        selected.clear()
        selected.update(matching)
        state.bump_selection_version()
        st.rerun()
if middle.button("Clear", key="gaps_clear", disabled=not selected):
    selected.clear()
    state.bump_selection_version()
    st.rerun()

if can(ctx, Action.SUBMIT_GAPS):
    if len(selected) > MAX_SELECTION:
        right.caption(f"A job takes at most {MAX_SELECTION} gaps; {len(selected)} are selected.")
    label = f"Analyze {len(selected)} selected gap{'s' if len(selected) != 1 else ''}"
    if right.button(label, type="primary", disabled=not selected, key="gaps_submit"):
        with state.session() as db:
            accepted = state.run_use_case(
                submit_gap_analysis,
                db,
                ctx,
                flow_id,
                list(selected.values()),
                doing="submit gaps for analysis",
            )
        if accepted is not state.FAILED:
            # Rerun so the table, the counts and the button all show the emptied selection.
            st.session_state[state.FLASH] = accepted["message"]
            selected.clear()
            state.bump_selection_version()
            st.session_state.setdefault(state.LAST_JOB_STATUS, {})[flow_id] = JobStatus.QUEUED
            st.rerun()
# The flash keeps its slot when empty: the progress panel below stays in the same place on
# every run, so a run drawing it never leaves the previous run's panel on screen beside it.
flash_slot = st.empty()
flash = st.session_state.pop(state.FLASH, None)
if flash:
    flash_slot.success(state.plain(state.sentence(flash)))

job_progress.show(flow_id, may_retry=can(ctx, Action.RETRY_JOB))
