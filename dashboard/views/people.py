"""People: the members of the current client, invitations and changes to them (admins)."""

import streamlit as st

from core.access import people
from dashboard import shown_text, state
from dashboard.widgets import invite_form, member_actions

ctx = state.require_context()
st.title("People")
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.success(flash)
invite_form.show()
members = state.call(people.list_members, doing="list the people of this client")
if not members:
    st.info("Nobody is a member of this client yet: invite someone above.")
    st.stop()
st.dataframe(
    [
        {
            "Email": member.email,
            "Name": member.display_name or "",
            "Role": member.role,
            "Scope": member.scope,
            "Last sign-in": shown_text.local_time(member.last_sign_in_at) or "never",
            "State": member.state,
        }
        for member in members
    ],
    hide_index=True,
    width="stretch",
)
member_actions.show(members)
