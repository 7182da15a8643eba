"""The web process: the dashboard's pages, and the route browsers poll job progress on.

`streamlit run dashboard/server.py` finds `app` and serves it (Streamlit's own server, with
the project's .streamlit/config.toml); the pages are those of dashboard/app.py.
"""

from pathlib import Path

import streamlit as st
from starlette.routing import Route

from dashboard import progress_endpoint

app = st.App(
    Path(__file__).resolve().with_name("app.py"),
    routes=[Route(progress_endpoint.path(), progress_endpoint.progress, methods=["GET"])],
)
