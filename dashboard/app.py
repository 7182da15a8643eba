"""The dashboard's entrypoint: page setup, the sign-in gate, and the pages the role may open."""

import streamlit as st

import jobs.tasks  # noqa: F401  (registers the Huey dispatcher that core submits gap jobs to)
from core.permissions import Action, can
from dashboard import state
from dashboard.widgets import sidebar

st.set_page_config(page_title="Collection flows", page_icon=":material/fact_check:", layout="wide")

ctx = state.context()
if ctx is None:
    pages = [st.Page("views/sign_in.py", title="Sign in", icon=":material/login:")]
else:
    sidebar.show()
    pages = [
        st.Page("views/flows.py", title="Flows", icon=":material/list:", default=True),
        st.Page("views/flow.py", title="Flow", icon=":material/timeline:"),
        st.Page("views/gaps.py", title="Gaps", icon=":material/rule:"),
        st.Page("views/questionnaires.py", title="Questionnaires", icon=":material/quiz:"),
    ]
    if ctx.role in ("manager", "admin"):
        pages.append(st.Page("views/overview.py", title="Overview", icon=":material/monitoring:"))
    if can(ctx, Action.IMPORT_ASSETS):
        pages.append(st.Page("views/data.py", title="Import", icon=":material/upload:"))
    if ctx.role == "admin":
        pages.append(
            st.Page("views/admin.py", title="Admin", icon=":material/admin_panel_settings:")
        )
st.navigation(pages).run()
