"""Which flow the flow pages show: from the URL, the session, or a choice in a select box."""

import streamlit as st

from core.flows.reads import list_flows
from dashboard import state
from db.models import CollectionFlow


def show(key: str) -> CollectionFlow | None:
    flows = state.call(list_flows, limit=1000, doing="list flows")
    if not flows:
        st.info("No flows yet. Create a flow on the Flows page, then come back here.")
        st.page_link("views/flows.py", label="Go to Flows", icon=":material/list:")
        return None
    ids = [str(flow.flow_id) for flow in flows]
    current = state.current_flow_id()
    # The URL or another page may have changed the current flow since this box last ran.
    if current in ids:
        st.session_state[key] = current
    elif st.session_state.get(key) not in ids:
        st.session_state[key] = ids[0]
    labels = {str(flow.flow_id): f"{flow.flow_name}  ·  {flow.current_phase}" for flow in flows}
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
