"""The engagement's audit trail: the latest events, filtered by action; a table and a CSV."""

import pandas as pd
import streamlit as st

from core.access.audit import MAX_PAGE_SIZE, list_events
from core.inventory.spreadsheet import csv_file
from dashboard import state


def show() -> None:
    st.header("Audit trail")
    action_filter, limit_filter = st.columns([3, 1])
    action = action_filter.text_input("Action (exact, e.g. flow_resumed)", key="audit_action")
    limit = limit_filter.number_input(
        "Latest", min_value=10, max_value=MAX_PAGE_SIZE, value=500, step=100, key="audit_limit"
    )
    events = state.call(
        list_events, action=action.strip() or None, limit=int(limit), doing="read the audit trail"
    )
    if not events:
        st.info("No event matches.")
        return
    audit = pd.DataFrame(
        {
            "When": [state.local_time(event.occurred_at) for event in events],
            "Action": [event.action for event in events],
            "User": [str(event.user_id or "") for event in events],
            "Flow": [str(event.flow_id or "") for event in events],
            "Details": [str(event.details) for event in events],
        }
    )
    st.dataframe(audit, hide_index=True, key="admin_audit")
    st.download_button(
        "Download CSV",
        csv_file(list(audit.columns), audit.itertuples(index=False, name=None)),
        file_name="audit.csv",
        mime="text/csv",
        key="admin_audit_csv",
    )
