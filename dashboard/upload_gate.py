"""The gate in front of Streamlit's upload route: who may upload, and how much.

Streamlit stores an upload (`PUT <base>/_stcore/upload_file/<session id>/<file id>`) for any
live session and holds it in memory until the page lets it go, so a client that never signed
in could fill the web process. Before a byte of the body is read, the gate asks that the session
belong to someone who may import (dashboard/upload_rights.py; 403), that the request say its
length (411), that one file stay within IMPORT_MAX_FILE_BYTES and the session's files, held and
arriving, within UPLOAD_MAX_SESSION_BYTES (413); the body is then cut at the length it declared.
"""

import re
import threading
from collections import Counter

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from streamlit import runtime

from config.settings import get_settings
from dashboard import upload_rights

# A file travels in a multipart form: boundaries, part headers and its name around its bytes.
FORM_FRAMING_BYTES = 64 * 1024
_UPLOAD = re.compile(r"/_stcore/upload_file/(?P<session>[^/]+)/[^/]+$")
_HEADERS = {"Cache-Control": "no-store"}


class UploadGate:
    """ASGI middleware of the web process (dashboard/server.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._arriving: Counter[str] = Counter()  # session id -> bytes of uploads under way

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _UPLOAD.search(scope["path"]) if scope["type"] == "http" else None
        if match is None or scope["method"] != "PUT":
            await self.app(scope, receive, send)
            return
        session_id = match["session"]
        length = _declared_length(scope)
        refusal = self._refusal(session_id, length)
        if refusal is not None or length is None:
            status, error = refusal or (411, "length required")
            await JSONResponse({"error": error}, status, _HEADERS)(scope, receive, send)
            return
        try:
            await self.app(scope, _cut_at(receive, length), send)
        finally:
            with self._lock:
                self._arriving[session_id] -= length
                if self._arriving[session_id] <= 0:
                    del self._arriving[session_id]

    def _refusal(self, session_id: str, length: int | None) -> tuple[int, str] | None:
        if not upload_rights.may_upload(session_id):
            return 403, "forbidden"
        if length is None:
            return None
        settings = get_settings()
        if length > settings.import_max_file_bytes + FORM_FRAMING_BYTES:
            return 413, "file too large"
        with self._lock:
            held = _held_bytes(session_id) + self._arriving[session_id]
            if held + length > settings.upload_max_session_bytes:
                return 413, "too much uploaded at once"
            self._arriving[session_id] += length
        return None


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def _held_bytes(session_id: str) -> int:
    """What Streamlit holds of this session's uploads now."""
    if not runtime.exists():
        return 0
    manager = runtime.get_instance().uploaded_file_mgr
    files = getattr(manager, "file_storage", {}).get(session_id, {})
    return sum(len(record.data) for record in list(files.values()))


def _cut_at(receive: Receive, length: int) -> Receive:
    """The body as sent, refused (413) once it passes the length its request declared."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        received += len(message.get("body", b""))
        if received > length:
            raise HTTPException(413, "body longer than its Content-Length")
        return message

    return counted
