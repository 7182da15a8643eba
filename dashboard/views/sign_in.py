"""Sign in (email and password, or single sign-on when configured), then pick an engagement."""

import streamlit as st

from core.access import identity
from core.kernel.errors import CollectionError
from dashboard import state

st.title("Collection flows")


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in_form() -> None:
    if oidc_configured():
        if st.user.get("is_logged_in"):
            with state.session() as db:
                user = state.run_use_case(
                    identity.sign_in_oidc,
                    db,
                    st.user.get("email", ""),
                    st.user.get("name"),
                    doing="sign in with this account",
                )
            if user is not state.FAILED:
                st.session_state[state.USER] = user
                st.rerun()
            st.button("Use another account", on_click=st.logout)
            return
        st.button("Sign in with single sign-on", on_click=st.login, type="primary")
        st.divider()
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        with state.session() as db:
            try:
                # The address the connection came from (None on localhost): throttling counts
                # failures per email and address, so nobody can lock an owner out from afar.
                user = identity.authenticate(db, email, password, st.context.ip_address)
            except CollectionError as error:
                shown = state.explain(error, "sign in") if error.status == 429 else error.message
                st.error(state.plain(shown))
                return
        st.session_state[state.USER] = user
        st.rerun()


def engagement_picker(user) -> None:
    with state.session() as db:
        choices = state.run_use_case(
            identity.list_engagements, db, user.user_id, doing="list your engagements"
        )
    if choices is state.FAILED:
        return
    if not choices:
        st.info("Your account has no engagement yet. Ask an admin to add you to one.")
        return
    st.subheader(f"Welcome, {state.plain(user.display_name or user.email)}")
    labels = [f"{c.client_name} / {c.engagement_name} ({c.role})" for c in choices]
    index = st.selectbox(
        "Engagement", range(len(choices)), format_func=labels.__getitem__, key="engagement_pick"
    )
    if st.button("Open engagement", type="primary"):
        choice = choices[index]
        with state.session() as db:
            ctx = state.run_use_case(
                identity.context_for,
                db,
                user.user_id,
                choice.client_account_id,
                choice.engagement_id,
                doing="open this engagement",
            )
        if ctx is not state.FAILED:
            st.session_state[state.CONTEXT] = ctx
            st.session_state[state.ENGAGEMENT] = choice
            st.rerun()


signed_out_because = st.session_state.pop(state.SIGNED_OUT_BECAUSE, None)
if signed_out_because:
    st.error(signed_out_because)
signed_in = st.session_state.get(state.USER)
if signed_in is None:
    sign_in_form()
else:
    engagement_picker(signed_in)
