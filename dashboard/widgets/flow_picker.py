"""Which flow the flow pages show: from the URL, the session, or a choice in a select box."""

import streamlit as st

from core.catalogue.labels import phase_label
from core.flows.reads import CollectionFlow, find_flow, list_flows
from dashboard import state

NOT_FOUND = "Flow not found: no flow of this engagement has the address you opened."


def show(key: str) -> CollectionFlow | None:
    flows = state.call(list_flows, limit=1000, doing="list flows")
    current = state.current_flow_id()
    ids = [str(flow.flow_id) for flow in flows]
    if current and current not in ids:
        # An address may name a flow beyond the listed ones, or none of this engagement's:
        # the latter says so rather than quietly showing another flow.
        named = state.call(find_flow, current, doing="open the flow")
        if named is None:
            st.session_state.pop(state.FLOW_ID, None)
            st.error(NOT_FOUND)
            st.page_link("views/flows.py", label="Choose a flow", icon=":material/list:")
            return None
        flows, ids = [named, *flows], [current, *ids]
    if not flows:
        st.info("No flows yet. Create a flow on the Flows page, then come back here.")
        st.page_link("views/flows.py", label="Go to Flows", icon=":material/list:")
        return None
    # The URL or another page may have changed the current flow since this box last ran.
    if current in ids:
        st.session_state[key] = current
    elif st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    labels = {
        str(flow.flow_id): f"{flow.flow_name}  ·  {phase_label(flow.current_phase)}"
        for flow in flows
    }
    chosen = st.selectbox(
        "Flow",
        ids,
        format_func=labels.__getitem__,
        key=key,
        on_change=lambda: state.set_current_flow(st.session_state[key]),
    )
    if chosen != current:
        state.set_current_flow(chosen)
    return flows[ids.index(chosen)]
