"""Who is signed in, with which role, on which engagement; switch engagement or sign out."""

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from dashboard import session_cookie, state


def switch_engagement() -> None:
    for key in (state.CONTEXT, state.ENGAGEMENT, state.FLOW_ID, state.SELECTED_GAPS):
        st.session_state.pop(key, None)
    st.query_params.clear()
    session_cookie.remember_engagement(None)  # a reload shows the engagement picker


def show(pages: list[StreamlitPage]) -> None:
    ctx = state.context()
    user = st.session_state.get(state.USER)
    choice = st.session_state.get(state.ENGAGEMENT)
    flow_id = state.current_flow_id()
    # The links carry the engagement and the flow shown, so every page opens both.
    carried = {"flow": flow_id} if flow_id else {}
    if ctx is not None:
        carried["engagement"] = str(ctx.engagement_id)
    with st.sidebar:
        for page in pages:
            st.page_link(page, query_params=carried or None)
        st.divider()
        if user is not None:
            st.text(f"Signed in as {user.display_name or user.email}")
            # Plain text, not a caption: the browser's markdown turns an escaped email into a
            # mailto link all the same.
            if user.display_name:
                st.text(user.email)
        if ctx is not None:
            st.text(f"Role: {ctx.role}")
        if choice is not None:
            st.text(f"{choice.client_name} / {choice.engagement_name}")
        left, right = st.columns(2)
        left.button("Engagement", on_click=switch_engagement, key="switch_engagement")
        right.button("Sign out", on_click=state.sign_out, key="sign_out")
