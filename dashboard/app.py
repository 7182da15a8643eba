"""The dashboard's entrypoint: page setup, the sign-in gate, and the pages the role may open."""

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from core.kernel.permissions import Action, can
from dashboard import engagement_address, session_cookie, state, upload_rights
from dashboard.widgets import sidebar

SIGN_IN = "views/sign_in.py"
# An owner's questions, opened from the link in their mail: signed in or not, never listed.
OWNER_ANSWERS = ("views/owner_answers.py", "Your questions", "answer")
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


def refusal(title: str) -> Callable[[], None]:
    def refused() -> None:
        st.title(title)
        st.info(
            f"{title} is not open to your role ({ctx.role if ctx else 'signed out'}); ask an"
            " admin of this engagement if you need something done there."
        )

    refused.__name__ = f"refused_{title}"
    return refused


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
    sign_in.append(st.Page(OWNER_ANSWERS[0], title=OWNER_ANSWERS[1], url_path=OWNER_ANSWERS[2]))
    st.navigation(sign_in, position="hidden").run()
else:
    pages = [
        st.Page(path, title=title, icon=icon, default=index == 0)
        for index, (path, title, icon, allowed) in enumerate(PAGES)
        if allowed(ctx)
    ]
    # A page the role may not open still has its address, and says so in a sentence.
    refused = [
        st.Page(refusal(title), title=title, url_path=Path(path).stem)
        for path, title, _icon, allowed in PAGES
        if not allowed(ctx)
    ]
    owner_page = st.Page(OWNER_ANSWERS[0], title=OWNER_ANSWERS[1], url_path=OWNER_ANSWERS[2])
    # The sidebar draws the links itself, so they carry the flow shown (?flow=) to every page.
    page = st.navigation([*pages, *refused, owner_page], position="hidden")
    if page.url_path != OWNER_ANSWERS[2]:
        sidebar.show(pages)
    page.run()
