"""Addresses name the engagement (`?engagement=<id>`): a colleague's link to a flow of another
engagement of yours opens it there, switching engagement; one of no engagement of yours says
"Engagement not found" and shows nothing of it."""

import uuid

import streamlit as st

from core.access import identity
from dashboard import session_cookie, shown_text, state

PARAM = "engagement"
NOT_FOUND = "Engagement not found: the address you opened names no engagement you are a member of."


def open_engagement(
    user_id: str | uuid.UUID, choice: identity.EngagementChoice, *, doing: str
) -> None:
    """Work in `choice` (an engagement of the person's) from now on, in this tab and the next
    sign-in; what was picked in another engagement is forgotten."""
    st.session_state[state.CONTEXT] = state.call_on_accounts(
        identity.context_for,
        user_id,
        choice.client_account_id,
        choice.engagement_id,
        sign_in_session_id=st.session_state.get(state.SIGN_IN_SESSION),
        doing=doing,
    )
    st.session_state[state.ENGAGEMENT] = choice
    for key in (state.FLOW_ID, state.SELECTED_GAPS, state.SELECTED_ASSETS):
        st.session_state.pop(key, None)
    session_cookie.remember_engagement(choice)


def follow() -> bool:
    """Before the page is chosen: switch to the engagement the address names when it is
    another of the signed-in person's. False when it names none of theirs."""
    named = st.query_params.get(PARAM)
    user = st.session_state.get(state.USER)
    if not named or user is None:
        return True
    wanted = state.canonical_flow_id(named)  # any form of a UUID, as for flows
    ctx = state.context()
    if ctx is not None and wanted == str(ctx.engagement_id):
        return True
    choices = state.call_on_accounts(
        identity.list_engagements, user.user_id, doing="list your engagements"
    )
    choice = next((c for c in choices if str(c.engagement_id) == wanted), None)
    if choice is None:
        return False
    open_engagement(user.user_id, choice, doing="open that engagement")
    if ctx is not None:
        st.toast(
            f"Switched to {shown_text.plain(choice.client_name)} /"
            f" {shown_text.plain(choice.engagement_name)}, named by the address."
        )
    return True


def not_found() -> None:
    """What an address of no engagement of yours shows, with the way back to your own."""
    st.error(NOT_FOUND)
    label = "Back to my engagement" if state.context() is not None else "Choose an engagement"
    st.button(label, on_click=_forget_address, key="engagement_not_found_back")


def _forget_address() -> None:
    st.query_params.clear()


def stamp() -> None:
    """Every run: the address names the engagement shown, so a copied address opens it."""
    ctx = state.context()
    if ctx is not None and st.query_params.get(PARAM) != str(ctx.engagement_id):
        st.query_params[PARAM] = str(ctx.engagement_id)
