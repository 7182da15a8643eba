"""Staying signed in across reloads and tabs: the signed session token in a browser cookie.

A reload starts a new Streamlit session; its first run reads the cookie the browser sent with
the connection (`st.context.cookies`, no round trip) and core says whom it keeps signed in,
if anyone. Streamlit itself cannot set cookies: a one-line script in the page writes and clears
it, SameSite=Strict (and Secure when the page came over HTTPS), for SESSION_HOURS. In the page
itself, not in a component's iframe, so signing in waits for no iframe to load and no value
sent back that would rerun the page.
"""

import json
import logging
from datetime import UTC, datetime
from email.utils import format_datetime

import streamlit as st

from core.access import identity, sessions
from core.storage.account_unit_of_work import account_uow
from dashboard import state
from dashboard.widgets import browser_code

COOKIE = "collection_session"
logger = logging.getLogger("dashboard")


def restore() -> None:
    """Once per browser session, before anything else: sign in whom the cookie keeps signed
    in, on the engagement they had open (its membership checked again)."""
    if st.session_state.get(state.COOKIE_READ) or st.session_state.get(state.USER) is not None:
        return
    st.session_state[state.COOKIE_READ] = True
    token = st.context.cookies.get(COOKIE)
    if not token:
        return
    try:
        with account_uow() as uow:
            restored = sessions.restore_session(uow, token)
            ctx = None
            if restored is not None and restored.engagement is not None:
                choice = restored.engagement
                ctx = identity.context_for(
                    uow,
                    restored.user.user_id,
                    choice.client_account_id,
                    choice.engagement_id,
                    sign_in_session_id=restored.session_id,
                )
    except Exception:
        logger.exception("dashboard: restoring a session failed; asking to sign in")
        restored = None
    if restored is None:
        st.session_state[state.SESSION_COOKIE] = None  # ended, expired or forged: clear it
        return
    st.session_state[state.USER] = restored.user
    st.session_state[state.SIGN_IN_SESSION] = restored.session_id
    st.session_state[state.SESSION_COOKIE] = (token, None)
    if ctx is not None:
        st.session_state[state.CONTEXT] = ctx
        st.session_state[state.ENGAGEMENT] = restored.engagement


def start(user: identity.SignedInUser, method: str) -> None:
    """Someone just signed in: the session every action of theirs checks, which the cookie
    keeps (written by `sync` on the next run). Without one nobody is signed in: the failure
    is shown and the page stops."""
    started = state.call_on_accounts(sessions.start_session, user.user_id, method, doing="sign in")
    st.session_state[state.USER] = user
    st.session_state[state.SIGN_IN_SESSION] = started.session_id
    st.session_state[state.SESSION_COOKIE] = (started.token, started.expires_at)


def remember_engagement(choice: identity.EngagementChoice | None) -> None:
    """The engagement a reload reopens (None: the picker)."""
    token = current_token()
    if token:
        with account_uow() as uow:
            sessions.remember_engagement(uow, token, choice)


def current_token() -> str | None:
    kept = st.session_state.get(state.SESSION_COOKIE)
    return kept[0] if kept else None


def end() -> None:
    """Sign out: the session ends on the server (the cookie is cleared by `sync` next)."""
    token = current_token()
    if token:
        with account_uow() as uow:
            sessions.end_session(uow, token)


def sync() -> None:
    """Every run: write the cookie of a new session, or clear one that no longer holds."""
    if state.SESSION_COOKIE not in st.session_state:
        return
    kept = st.session_state[state.SESSION_COOKIE]
    if kept is None:
        _write("", datetime.fromtimestamp(0, UTC))  # long expired: the browser drops it
        del st.session_state[state.SESSION_COOKIE]
    elif kept[1] is not None:  # None: restored from the cookie, the browser has it already
        _write(kept[0], kept[1])


def _write(value: str, expires_at: datetime) -> None:
    # The value is a token this server signed (or nothing); still written as a JSON string with
    # "<" escaped, so that no value could end the script or reach the page as markup.
    cookie = f"{COOKIE}={value}; expires={format_datetime(expires_at.astimezone(UTC), usegmt=True)}"
    cookie += "; path=/; SameSite=Strict"
    # Secure when the page came over HTTPS, so the browser never sends it over plain HTTP (a
    # page served over plain HTTP could not keep a Secure cookie at all).
    script = (
        f"document.cookie = {json.dumps(cookie)}"
        ' + (location.protocol === "https:" ? "; Secure" : "");'
    ).replace("<", "\\u003c")
    browser_code.run_script(script)
