"""Clients & engagements (admins): name the client, create, rename and archive engagements
(archived: read-only and in no picker, nothing deleted), choose each engagement's source
order of imports, create a new client."""

import streamlit as st

from core.access import engagement_admin, people
from core.storage.value_sources import NEWEST_IMPORT_WINS
from dashboard import shown_text, state
from dashboard.widgets import engagement_forms

ctx = state.require_context()
st.title("Clients & engagements")
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash)
client_name, rows = state.call(engagement_admin.list_engagements, doing="manage engagements")
st.subheader(shown_text.plain(client_name))
st.dataframe(
    [
        {
            "Engagement": row.name,
            "State": "archived" if row.archived_at else "open now" if row.current else "active",
            "Archived": shown_text.local_time(row.archived_at),
            "Later imports": (
                "newest wins" if row.import_precedence == NEWEST_IMPORT_WINS else "answers win"
            ),
        }
        for row in rows
    ],
    hide_index=True,
    width="stretch",
)
whole_client = state.call(people.manages_whole_client, doing="manage engagements")
if whole_client:
    engagement_forms.new_engagement()
engagement_forms.change_engagement(rows)
engagement_forms.source_order(rows)
if whole_client:
    st.divider()
    engagement_forms.client_forms(client_name)
else:
    st.caption("Naming the client and its other engagements is for an admin of all of them.")
