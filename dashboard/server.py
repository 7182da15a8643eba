"""The web process: the dashboard's pages, the route browsers poll job progress on, and the
one they download a worker's prepared export from.

`streamlit run dashboard/server.py` finds `app` and serves it (Streamlit's own server, with
the project's .streamlit/config.toml); the pages are those of dashboard/app.py.
"""

from pathlib import Path

import streamlit as st
import streamlit.watcher.polling_path_watcher as polling_path_watcher
from starlette.middleware import Middleware
from starlette.routing import Route

from config.settings import get_settings
from core.access.session_tokens import SharedSecretMissing, session_secret
from dashboard import export_download, progress_endpoint
from dashboard.response_headers import ResponseHeaders
from dashboard.upload_gate import UploadGate

try:
    session_secret(get_settings())
except SharedSecretMissing as missing:  # refuse to start, in one sentence
    raise SystemExit(str(missing)) from None

# Streamlit polls its config and secrets files five times a second whatever
# server.fileWatcherType says (and hashes a missing file at each poll), a steady share of an
# idle server's CPU (README gives the figures). A released server takes new settings within
# a minute, or at its restart.
polling_path_watcher._POLLING_PERIOD_SECS = 60  # type: ignore[misc]

app = st.App(
    Path(__file__).resolve().with_name("app.py"),
    routes=[
        Route(progress_endpoint.path(), progress_endpoint.progress, methods=["GET"]),
        Route(export_download.path(), export_download.download, methods=["GET"]),
    ],
    # Outermost first: the gate's refusals get the headers too.
    middleware=[Middleware(ResponseHeaders), Middleware(UploadGate)],
)
