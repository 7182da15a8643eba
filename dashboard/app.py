"""The dashboard's entrypoint: page setup, the sign-in gate, and the pages the role may open."""

from pathlib import Path

import streamlit as st

from core.kernel.permissions import Action, can
from dashboard import engagement_address, session_cookie, state, upload_rights
from dashboard.widgets import sidebar

SIGN_IN = "views/sign_in.py"
# (script, title, icon, who may open it)
PAGES = (
    ("views/flows.py", "Flows", ":material/list:", lambda ctx: True),
    ("views/flow.py", "Flow", ":material/timeline:", lambda ctx: True),
    ("views/gaps.py", "Gaps", ":material/rule:", lambda ctx: True),
    ("views/questionnaires.py", "Questionnaires", ":material/quiz:", lambda ctx: True),
    ("views/assets.py", "Assets", ":material/dns:", lambda ctx: True),
    (
        "views/overview.py",
        "Overview",
        ":material/monitoring:",
        lambda ctx: ctx.role in ("manager", "admin"),
    ),
    ("views/data.py", "Import", ":material/upload:", lambda ctx: can(ctx, Action.IMPORT_ASSETS)),
    ("views/admin.py", "Admin", ":material/admin_panel_settings:", lambda ctx: ctx.role == "admin"),
    ("views/people.py", "People", ":material/group:", lambda ctx: ctx.role == "admin"),
    (
        "views/clients.py",
        "Clients & engagements",
        ":material/domain:",
        lambda ctx: ctx.role == "admin",
    ),
)

st.set_page_config(page_title="Collection flows", page_icon=":material/fact_check:", layout="wide")

session_cookie.restore()
session_cookie.sync()
if not engagement_address.follow():
    engagement_address.not_found()
    st.stop()
engagement_address.stamp()
ctx = state.context()
upload_rights.record(ctx)
if ctx is None:
    # Every page's address leads to the sign-in form, so a bookmark or a reload (which starts
    # a new session) opens the page it named once the person has signed in.
    sign_in = [st.Page(SIGN_IN, title="Sign in", icon=":material/login:", default=True)]
    sign_in += [st.Page(SIGN_IN, title="Sign in", url_path=Path(path).stem) for path, *_ in PAGES]
    st.navigation(sign_in, position="hidden").run()
else:
    pages = [
        st.Page(path, title=title, icon=icon, default=index == 0)
        for index, (path, title, icon, allowed) in enumerate(PAGES)
        if allowed(ctx)
    ]
    # The sidebar draws the links itself, so they carry the flow shown (?flow=) to every page.
    page = st.navigation(pages, position="hidden")
    sidebar.show(pages)
    page.run()
