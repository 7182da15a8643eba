"""Invite someone to the current client by email, with a name and a role; a new account's
temporary password is shown this once (it is stored only as a hash)."""

from dataclasses import dataclass

import streamlit as st

from core.access import people
from core.kernel.context import ROLES
from dashboard import shown_text, state

SCOPES = {"This engagement": False, "All engagements of the client": True}
# Each invitation that goes through starts a new form (new keys: empty boxes); a refused one
# keeps its form, so the address stays there to correct.
GENERATION = "invite_form_generation"
INVITE_OPEN = "invite_form_open"  # the form stays open after a refusal


@dataclass(frozen=True)
class Filled:
    email: str
    name: str
    role: str
    whole_client: bool
    submitted: bool


def _form(generation: int, whole: bool) -> Filled:
    with (
        st.expander("Invite someone", expanded=st.session_state.get(INVITE_OPEN, False)),
        st.form(f"invite_{generation}", clear_on_submit=False),
    ):
        email = st.text_input("Email", key=f"invite_email_{generation}")
        name = st.text_input(
            "Name",
            key=f"invite_name_{generation}",
            max_chars=200,
            help="How the dashboard names them.",
        )
        left, right = st.columns(2)
        role = left.selectbox("Role", ROLES, key=f"invite_role_{generation}")
        # An admin of one engagement grants at most that engagement.
        scopes = list(SCOPES) if whole else list(SCOPES)[:1]
        scope = right.selectbox("Scope", scopes, key=f"invite_scope_{generation}")
        submitted = st.form_submit_button("Invite", type="primary")
    return Filled(email, name, str(role), SCOPES[scope], submitted)


def show() -> None:
    generation = st.session_state.get(GENERATION, 0)
    whole = state.call(people.manages_whole_client, doing="invite people")
    slot = st.empty()
    with slot.container():
        filled = _form(generation, whole)
    if not filled.submitted:
        return
    invitation = state.call_or_none(
        people.invite,
        filled.email,
        filled.role,
        filled.whole_client,
        filled.name.strip() or None,
        doing="invite people",
    )
    if invitation is None:
        st.session_state[INVITE_OPEN] = True
        return
    st.session_state[INVITE_OPEN] = False
    st.session_state[GENERATION] = generation + 1
    with slot.container():  # an empty form for the next invitation, in this same run
        _form(generation + 1, whole)
    role = filled.role
    if invitation.temporary_password:
        st.success(
            f"Created {shown_text.plain(invitation.email)} as {role}. Hand over this temporary"
            " password now: it is shown only this once."
        )
        st.code(invitation.temporary_password, language=None)
    else:
        st.success(f"{shown_text.plain(invitation.email)} has the {role} role now (own password).")
