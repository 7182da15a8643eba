"""The engagement's audit trail: the latest events, filtered by action; a table and a CSV."""

import pandas as pd
import streamlit as st

from core.access.audit import MAX_PAGE_SIZE
from core.access.audit_trail import list_actions, list_trail
from core.catalogue import audit_labels
from core.inventory.spreadsheet import csv_file
from dashboard import shown_text, state

ANY_ACTION = ""  # the filter's first choice: every action


def show() -> None:
    st.header("Audit trail")
    action_filter, limit_filter = st.columns([3, 1])
    known = state.call(list_actions, doing="read the audit trail")
    action = action_filter.selectbox(
        "Action",
        [ANY_ACTION, *known],
        format_func=lambda name: (
            "Any action" if name == ANY_ACTION else audit_labels.action_label(name)
        ),
        key="audit_action",
    )
    limit = limit_filter.number_input(
        "Latest", min_value=10, max_value=MAX_PAGE_SIZE, value=500, step=100, key="audit_limit"
    )
    events = state.call(
        list_trail,
        action=action or None,
        limit=int(limit),
        doing="read the audit trail",
    )
    if not events:
        st.info("No event matches.")
        return
    audit = pd.DataFrame(
        {
            "When": [shown_text.local_time(event.occurred_at) for event in events],
            "Action": [audit_labels.action_label(event.action) for event in events],
            "User": [event.user_name for event in events],
            "Flow": [event.flow_name for event in events],
            "Open": [state.page_url("flow", event.flow_id) for event in events],
            "Details": [event.details for event in events],
        }
    )
    st.dataframe(
        audit,
        hide_index=True,
        key="admin_audit",
        column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open flow")},
    )
    shown = audit.drop(columns="Open").assign(flow=[event.flow_id for event in events])
    st.download_button(
        "Download CSV",
        csv_file(
            [*audit.columns.drop("Open"), "Flow id"], shown.itertuples(index=False, name=None)
        ),
        file_name="audit.csv",
        mime="text/csv",
        key="admin_audit_csv",
    )
