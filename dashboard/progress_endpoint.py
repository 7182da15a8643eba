"""The route a browser polls a job's progress on, beside the pages, in the same web process.

A poll is one signed pass checked and one job key read: no script run, no session state, no
SQL. The pass, issued by a page run after its tenancy check, is the only authority; anything
else is refused alike, without saying why. Polls beyond the PROGRESS_POLLS_* rates, per client
address and per pass, are refused with 429 and Retry-After before anything is read
(dashboard/poll_limits.py).
"""

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from streamlit import config

from config.settings import get_settings
from core.enhancement import progress_pass
from core.enhancement.jobs import read_progress_by_pass
from core.enhancement.phase_progress import read_phase_run_by_pass
from dashboard.poll_limits import TokenBuckets
from dashboard.widgets import job_figures, phase_run_figures

logger = logging.getLogger("dashboard")
NAME = "_progress"
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
by_address = TokenBuckets()
by_pass = TokenBuckets()


def path() -> str:
    """The route's path on this server: under server.baseUrlPath, as the pages are."""
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{NAME}" if base else f"/{NAME}"


def _answer(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=HEADERS)


def _too_many(wait_seconds: int) -> JSONResponse:
    headers = {**HEADERS, "Retry-After": str(wait_seconds)}
    return JSONResponse({"error": "too many requests"}, status_code=429, headers=headers)


async def progress(request: Request) -> JSONResponse:
    """GET <base>/_progress?token=<pass>: the panel of the job (or phase run) the pass names as
    JSON, 403 for any bad pass, 429 beyond the poll rates."""
    settings = get_settings()
    address = request.client.host if request.client else ""
    # The address first, before the pass's signature is checked: a flood costs no HMAC.
    wait = by_address.wait_seconds(address, settings.progress_polls_per_address_per_second)
    if wait:
        return _too_many(wait)
    token = request.query_params.get("token")
    granted = progress_pass.read(token)
    if granted is None:
        return _answer({"error": "forbidden"}, 403)
    # Genuine passes only get a bucket, so forged ones cannot crowd them out.
    wait = by_pass.wait_seconds(str(token), settings.progress_polls_per_pass_per_second)
    if wait:
        return _too_many(wait)
    try:
        # A blocking read (Redis, or the database's job_keys table): off the event loop, which
        # serves every session's websocket.
        if granted.kind != progress_pass.GAP_JOB:
            run = await run_in_threadpool(read_phase_run_by_pass, granted)
            return _answer(phase_run_figures.shown(run))
        read = await run_in_threadpool(read_progress_by_pass, granted)
    except Exception:
        logger.exception("dashboard: reading a job's progress for a poll failed")
        return _answer({"error": "unavailable"}, 503)
    return _answer(job_figures.shown(read))
