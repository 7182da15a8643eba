"""Flows: the engagement's collection flows, filtered, with progress; create a flow."""

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.catalogue.labels import phase_label
from core.enhancement.phase_run_health import stuck_flow_ids
from core.flows.health import activity
from core.flows.orchestrator import create_flow
from core.flows.reads import list_flows
from core.kernel.inputs import MAX_FILTER_LENGTH
from core.kernel.permissions import Action, can
from core.kernel.phases import CollectionPhase
from core.requests.waiting import owners_asked
from dashboard import shown_text, state

ctx = state.require_context()
options = state.filter_options()
st.title("Flows")

search, phases, statuses, tiers = st.columns([2, 2, 2, 1])
name = search.text_input("Search by name", max_chars=MAX_FILTER_LENGTH, key="flows_name")
chosen_phases = phases.multiselect(
    "Phase", options["phases"], format_func=phase_label, key="flows_phases"
)
chosen_statuses = statuses.multiselect(
    "Status", options["statuses"], format_func=labels.status_label, key="flows_statuses"
)
chosen_tiers = tiers.multiselect(
    "Tier", options["tiers"], format_func=labels.tier_label, key="flows_tiers"
)

may_act = can(ctx, Action.RUN_PHASE)
flows = state.call(
    list_flows,
    phases=chosen_phases,
    statuses=chosen_statuses,
    tiers=chosen_tiers,
    name_contains=name,
    limit=1000,
    doing="list flows",
)

if not flows:
    filtered = name or chosen_phases or chosen_statuses or chosen_tiers
    st.info(
        "No flow matches these filters; clear them to see every flow."
        if filtered
        else "No flows yet. Create a flow below: give it a name and an automation tier."
    )
else:
    # Flows in manual collection may wait on owners rather than on us: one read for them all.
    collecting = [f.id for f in flows if f.current_phase == CollectionPhase.MANUAL_COLLECTION]
    asked = (
        state.call(owners_asked, collecting, doing="read requests to owners") if collecting else {}
    )
    # A flow whose gap job or phase run (a long scan) is live is not stuck, however long.
    stuck = state.call(stuck_flow_ids, flows, doing="check flows for progress")
    table = pd.DataFrame(
        {
            "Name": [flow.flow_name for flow in flows],
            "Phase": [phase_label(flow.current_phase) for flow in flows],
            "Status": [
                activity(
                    flow.current_phase, flow.status, may_act=may_act, owners=asked.get(flow.id)
                )
                for flow in flows
            ],
            "Tier": [labels.tier_label(flow.automation_tier) for flow in flows],
            "Progress": [flow.progress_percentage for flow in flows],
            "Updated": [shown_text.local_time(flow.updated_at) for flow in flows],
            "Attention": ["may be stuck" if str(flow.flow_id) in stuck else "" for flow in flows],
        }
    )
    st.caption(f"{len(flows)} flow{'s' if len(flows) != 1 else ''}. Select a row to open it.")
    event = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key="flows_table",
        column_config={
            "Progress": st.column_config.ProgressColumn(
                "Progress", min_value=0, max_value=100, format="%.0f%%"
            )
        },
    )
    if event.selection.rows:
        flow = flows[event.selection.rows[0]]
        flow_id = str(flow.flow_id)
        st.text(f"Selected: {flow.flow_name}")
        links = st.columns(3)
        links[0].page_link("views/flow.py", label="Open flow", query_params={"flow": flow_id})
        links[1].page_link("views/gaps.py", label="Gaps", query_params={"flow": flow_id})
        links[2].page_link(
            "views/questionnaires.py", label="Questionnaires", query_params={"flow": flow_id}
        )

if can(ctx, Action.CREATE_FLOW):
    with st.expander("Create a flow", expanded=not flows), st.form("create_flow"):
        flow_name = st.text_input("Flow name", max_chars=255)
        tier = st.selectbox(
            "Automation tier", options["tiers"], index=1, format_func=labels.tier_label
        )
        created = st.form_submit_button("Create flow", type="primary")
    if created:
        new_id = state.call(create_flow, flow_name, tier, doing="create flows")
        state.set_current_flow(new_id)
        st.switch_page("views/flow.py", query_params={"flow": new_id})
