"""Which browser sessions of this web process may upload files: those whose signed-in person
may import.

Streamlit's upload route stores a file for any live session, signed in or not. Each page run
records here, under its Streamlit session's id, whether its person may import assets (from the
context its sign-in built, whose membership every action checks again); the upload gate
(dashboard/upload_gate.py) asks before it reads a byte of an upload. Sessions live in one web
process, so this registry does too.
"""

import threading

from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.kernel.context import RequestContext
from core.kernel.permissions import Action, can

_lock = threading.Lock()
_may_upload: dict[str, str] = {}  # Streamlit session id -> the user id it uploads for


def record(ctx: RequestContext | None) -> None:
    """Every page run: this session may upload while its person may import, and not after."""
    session_id = _this_session()
    if session_id is None:
        return
    uploader = None
    if ctx is not None and ctx.user_id is not None and can(ctx, Action.IMPORT_ASSETS):
        uploader = str(ctx.user_id)
    with _lock:
        if uploader is None:
            _may_upload.pop(session_id, None)
            return
        if session_id not in _may_upload:
            _forget_ended_sessions()
        _may_upload[session_id] = uploader


def forget() -> None:
    """Sign out: this session uploads nothing more."""
    session_id = _this_session()
    if session_id is not None:
        with _lock:
            _may_upload.pop(session_id, None)


def may_upload(session_id: str) -> bool:
    """Whether an upload naming this session comes from someone who may import."""
    with _lock:
        if session_id not in _may_upload:
            return False
    return not runtime.exists() or runtime.get_instance().is_active_session(session_id)


def _this_session() -> str | None:
    run = get_script_run_ctx()
    return None if run is None else run.session_id


def _forget_ended_sessions() -> None:
    # A closed tab's session ends without a page run to say so: dropped as new ones come.
    if not runtime.exists():
        return
    live = runtime.get_instance()
    for session_id in [known for known in _may_upload if not live.is_active_session(known)]:
        del _may_upload[session_id]
