"""The route a browser downloads a worker's prepared export from, beside the pages.

The file is sent as it is read from EXPORT_DIR (a 700,000-gap file never sits in the web
process's memory). Like the progress route, a signed pass of the export-run kind is the only
authority (issued by a page run after its tenancy check, valid 5 minutes); anything else is
a 403 without detail, an export not ready a 404, and downloads beyond the per-address poll rate
a 429.
"""

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from streamlit import config

from config.settings import get_settings
from core.enhancement import progress_pass
from core.inventory.export_runs import prepared_file_by_key
from dashboard.poll_limits import TokenBuckets

NAME = "_export"
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MEDIA = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
by_address = TokenBuckets()


def path() -> str:
    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{NAME}" if base else f"/{NAME}"


async def download(request: Request) -> Response:
    """GET <base>/_export?token=<pass>: the prepared file, as an attachment."""
    address = request.client.host if request.client else ""
    rate = get_settings().progress_polls_per_address_per_second
    wait = by_address.wait_seconds(address, rate)
    if wait:
        headers = {**HEADERS, "Retry-After": str(wait)}
        return JSONResponse({"error": "too many requests"}, status_code=429, headers=headers)
    granted = progress_pass.read(request.query_params.get("token"))
    if granted is None or granted.kind != progress_pass.EXPORT_RUN:
        return JSONResponse({"error": "forbidden"}, status_code=403, headers=HEADERS)
    prepared = await run_in_threadpool(prepared_file_by_key, granted.job_key)
    if prepared is None:
        return JSONResponse({"error": "not ready"}, status_code=404, headers=HEADERS)
    name, file = prepared
    return FileResponse(
        file, filename=name, media_type=MEDIA.get(file.suffix, "text/csv"), headers=HEADERS
    )
