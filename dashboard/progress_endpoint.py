"""The route a browser polls a job's progress on, beside the pages, in the same web process.

A poll is one signed pass checked and one job key read: no script run, no session state, no
SQL. The pass, issued by a page run after its tenancy check, is the only authority; anything
else is refused alike, without saying why.
"""

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from streamlit import config

from core.enhancement import progress_pass
from core.enhancement.jobs import read_progress_by_pass
from dashboard.widgets import job_figures

logger = logging.getLogger("dashboard")
NAME = "_progress"
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def path() -> str:
    """The route's path on this server: under server.baseUrlPath, as the pages are."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{NAME}" if base else f"/{NAME}"


def _answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=HEADERS)


async def progress(request: Request) -> JSONResponse:
    """GET <base>/_progress?token=<pass>: the job's panel as JSON, or 403 for any bad pass."""
    granted = progress_pass.read(request.query_params.get("token"))
    if granted is None:
        return _answer({"error": "forbidden"}, 403)
    try:
        # A blocking read (Redis, or the database's job_keys table): off the event loop, which
        # serves every session's websocket.
        read = await run_in_threadpool(read_progress_by_pass, granted)
    except Exception:
        logger.exception("dashboard: reading a job's progress for a poll failed")
        return _answer({"error": "unavailable"}, 503)
    return _answer(job_figures.shown(read))
