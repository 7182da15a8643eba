"""Invite someone to the current client by email, with a name and a role; a new account's
temporary password is shown this once (it is stored only as a hash)."""

import streamlit as st

from core.access import people
from core.kernel.context import ROLES
from dashboard import shown_text, state

SCOPES = {"This engagement": False, "All engagements of the client": True}
INVITE_OPEN = "invite_form_open"  # the form stays open (and filled) after a refusal
INVITE_DONE = "invite_form_done"  # an invitation went through: the next form starts empty


def show() -> None:
    if st.session_state.pop(INVITE_DONE, False):
        for key in ("invite_email", "invite_name"):
            st.session_state.pop(key, None)
    with (
        st.expander("Invite someone", expanded=st.session_state.get(INVITE_OPEN, False)),
        # Not cleared on submit: a refused address stays in the box, to correct it.
        st.form("invite", clear_on_submit=False),
    ):
        email = st.text_input("Email", key="invite_email")
        name = st.text_input(
            "Name", key="invite_name", max_chars=200, help="How the dashboard names them."
        )
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
        people.invite,
        email,
        role,
        SCOPES[scope],
        name.strip() or None,
        doing="invite people",
    )
    if invitation is None:
        st.session_state[INVITE_OPEN] = True
        return
    st.session_state[INVITE_OPEN] = False
    st.session_state[INVITE_DONE] = True
    if invitation.temporary_password:
        st.success(
            f"Created {shown_text.plain(invitation.email)} as {role}. Hand over this temporary"
            " password now: it is shown only this once."
        )
        st.code(invitation.temporary_password, language=None)
    else:
        st.success(f"{shown_text.plain(invitation.email)} has the {role} role now (own password).")
