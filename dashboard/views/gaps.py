"""Gaps: filter, select (across pages), submit to the workers, watch the job's progress."""

import streamlit as st

from core.catalogue import labels
from core.catalogue.schema import priority_label
from core.enhancement.job_history import list_jobs
from core.enhancement.job_keys import MAX_GAPS_PER_JOB
from core.enhancement.jobs import submit_gaps
from core.gaps.listing import page_gaps, selectable_gaps
from core.kernel.inputs import MAX_FILTER_LENGTH
from core.kernel.permissions import Action, can
from dashboard import shown_text, state
from dashboard.widgets import (
    flow_picker,
    flow_status,
    gap_table,
    job_history,
    job_progress,
    no_gaps,
)

PAGE_SIZE = 500

ctx = state.require_context()
options = state.filter_options()
flow = flow_picker.show(key="gaps_page_picker")
if flow is None:
    st.stop()
flow_id = str(flow.flow_id)
st.title(f"Gaps · {shown_text.plain(flow.flow_name)}")
st.caption(
    f"Phase: {labels.phase_words(flow.current_phase)} · status: {flow_status.said(ctx, flow)}"
)

columns = st.columns([2, 1.6, 1, 1, 2])  # room for "Critical (P1)"
filters = {
    "categories": columns[0].multiselect(
        "Category", options["gap_categories"], format_func=labels.category_label, key="gf_cat"
    ),
    "priorities": columns[1].multiselect(
        "Priority", options["priorities"], format_func=priority_label, key="gf_prio"
    ),
    "gap_types": columns[2].multiselect(
        "Gap type", options["gap_types"], format_func=labels.gap_type_label, key="gf_type"
    ),
    "statuses": columns[3].multiselect(
        "Status", options["gap_statuses"], format_func=labels.gap_status_label, key="gf_status"
    ),
    "asset_name_contains": columns[4].text_input(
        "Asset name contains", max_chars=MAX_FILTER_LENGTH, key="gf_asset"
    ),
}
page = state.call(
    page_gaps,
    flow_id,
    filters,
    limit=PAGE_SIZE,
    **gap_table.position(flow_id, filters, PAGE_SIZE),
    doing="list gaps",
)
gap_table.remember(page, flow_id, filters)
selected = state.selected_gaps(flow_id)

if page.flow_total == 0:
    st.info(no_gaps.next_step(flow.current_phase))
    st.page_link("views/flow.py", label="Open the flow", query_params={"flow": flow_id})
    st.stop()

# Above the table, so what follows "Analyze" (the message, the progress) shows without a scroll.
# The flash keeps its slot when empty: the progress panel after it stays in the same place on
# every run, so a run drawing it never leaves the previous run's panel on screen beside it.
flash_slot = st.empty()
flash = st.session_state.pop(state.FLASH, None)
if flash:
    flash_slot.success(shown_text.plain(state.sentence(flash)))

job_progress.show(flow_id, may_retry=can(ctx, Action.RETRY_JOB))

gap_table.show(page, selected, flow_id, PAGE_SIZE)

left, middle, right = st.columns([2, 1, 3])
if left.button(f"Select all matching (up to {MAX_GAPS_PER_JOB})", key="gaps_select_all"):
    matching = state.call(
        selectable_gaps, flow_id, page.filters, limit=MAX_GAPS_PER_JOB, doing="select gaps"
    )
    selected.clear()
    selected.update(matching)
    state.bump_selection_version()
    st.rerun()
if middle.button("Clear", key="gaps_clear", disabled=not selected):
    selected.clear()
    state.bump_selection_version()
    st.rerun()

if can(ctx, Action.SUBMIT_GAPS):
    if len(selected) > MAX_GAPS_PER_JOB:
        right.caption(f"A job takes at most {MAX_GAPS_PER_JOB} gaps; {len(selected)} are selected.")
    label = f"Analyze {len(selected)} selected gap{'s' if len(selected) != 1 else ''}"
    if right.button(label, type="primary", disabled=not selected, key="gaps_submit"):
        # A refusal (a job already running, too soon after the last) leaves the panel drawn.
        accepted = state.call_or_none(
            submit_gaps, flow_id, list(selected.values()), doing="submit gaps for analysis"
        )
        if accepted is not None:
            # Rerun so the table, the counts and the button all show the emptied selection.
            st.session_state[state.FLASH] = accepted["message"]
            selected.clear()
            state.bump_selection_version()
            st.rerun()

with st.expander("Jobs of this flow"):
    flow_jobs = state.call(list_jobs, flow_id, doing="read the flow's jobs")
    job_history.show(flow_jobs, key="flow_jobs", with_flow=False)
