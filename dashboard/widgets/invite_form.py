"""Invite someone to the current client by email with a role; a new account's temporary
password is shown this once (it is stored only as a hash)."""

import streamlit as st

from core.access import people
from core.kernel.context import ROLES
from dashboard import shown_text, state

SCOPES = {"This engagement": False, "All engagements of the client": True}


def show() -> None:
    with st.expander("Invite someone"), st.form("invite", clear_on_submit=True):
        email = st.text_input("Email", key="invite_email")
        left, right = st.columns(2)
        role = left.selectbox("Role", ROLES, key="invite_role")
        whole = state.call(people.manages_whole_client, doing="invite people")
        # An admin of one engagement grants at most that engagement.
        scopes = list(SCOPES) if whole else list(SCOPES)[:1]
        scope = right.selectbox("Scope", scopes, key="invite_scope")
        submitted = st.form_submit_button("Invite", type="primary")
    if not submitted:
        return
    invitation = state.call_or_none(
        people.invite, email, role, SCOPES[scope], doing="invite people"
    )
    if invitation is None:
        return
    if invitation.temporary_password:
        st.success(
            f"Created {shown_text.plain(invitation.email)} as {role}. Hand over this temporary"
            " password now: it is shown only this once."
        )
        st.code(invitation.temporary_password, language=None)
    else:
        st.success(f"{shown_text.plain(invitation.email)} has the {role} role now (own password).")
