"""Sign in (email and password, or single sign-on when configured), then pick an engagement."""

import streamlit as st

from core.access import identity
from dashboard import engagement_address, session_cookie, shown_text, state
from dashboard.widgets import browser_code

st.title("Collection flows")


def oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def sign_in_form() -> None:
    if oidc_configured():
        if st.user.get("is_logged_in"):
            st.button("Use another account", on_click=st.logout)  # shown if the sign-in fails
            user = state.call_on_accounts(
                identity.sign_in_oidc,
                st.user.get("email", ""),
                st.user.get("name"),
                doing="sign in with this account",
            )
            session_cookie.start(user, "oidc")
            st.rerun()
        st.button("Sign in with single sign-on", on_click=st.login, type="primary")
        st.divider()
    form = st.empty()
    with form.form("sign_in"):
        email = st.text_input("Email", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        browser_code.fetch_ahead()  # while the person types
        return
    # The address the connection came from (None on localhost): throttling counts
    # failures per email and address, so nobody can lock an owner out from afar.
    user = state.call_on_accounts(
        identity.authenticate, email, password, st.context.ip_address, doing="sign in"
    )
    session_cookie.start(user, "password")
    # The picker in this same run, in the form's place: no second run before it shows.
    form.empty()
    session_cookie.sync()
    if st.query_params.get("engagement"):
        st.rerun()  # the address names the engagement: the next run opens it, no picker
    engagement_picker(user)


def engagement_picker(user: identity.SignedInUser) -> None:
    choices = state.call_on_accounts(
        identity.list_engagements, user.user_id, doing="list your engagements"
    )
    if not choices:
        st.info("Your account has no engagement yet. Ask an admin to add you to one.")
        return
    st.subheader(f"Welcome, {shown_text.plain(user.display_name or user.email)}")
    labels = [f"{c.client_name} / {c.engagement_name} ({c.role})" for c in choices]
    index = st.selectbox(
        "Engagement", range(len(choices)), format_func=labels.__getitem__, key="engagement_pick"
    )
    if st.button("Open engagement", type="primary"):
        engagement_address.open_engagement(
            user.user_id, choices[index], doing="open this engagement"
        )
        st.rerun()


signed_out_because = st.session_state.pop(state.SIGNED_OUT_BECAUSE, None)
if signed_out_because:
    st.error(signed_out_because)
signed_in = st.session_state.get(state.USER)
if signed_in is None:
    sign_in_form()
else:
    engagement_picker(signed_in)
