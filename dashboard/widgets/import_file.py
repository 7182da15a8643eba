"""The uploaded inventory file of the Import page, and what reading it once leaves for the next.

The page previews the file three times a run (as detected, with a saved mapping, with the
person's choices) and reruns on every change, then imports it: one memo per file, kept in the
session under the file's digest, lets all of them read a workbook's shared strings (up to
64 MB of XML) once. The session, not a process-wide cache: a tenant's file is neither kept
for nor found by another session, and the memo goes with the file or the session.
"""

import hashlib

import streamlit as st

from core.inventory.upload_memo import UploadMemo

_KEY = "import_file_memo"


def memo_for(content: bytes) -> UploadMemo:
    """The memo of this file (by its content's digest): a new file replaces the last one's."""
    digest = hashlib.blake2b(content, digest_size=16).hexdigest()
    kept = st.session_state.get(_KEY)
    if kept is None or kept[0] != digest:
        kept = st.session_state[_KEY] = (digest, UploadMemo())
    return kept[1]


def forget() -> None:
    """No file chosen: what was read of the last one is let go."""
    st.session_state.pop(_KEY, None)


SERVERS_SHEET = "(the sheet whose rows are servers)"


def choose_sheet(sheets: list[str]) -> str | None:
    """A workbook of several sheets: the one to read, as a person picks it (None: the one
    whose rows are servers, found by the import)."""
    if len(sheets) < 2:
        return None
    chosen = st.selectbox("Sheet", [SERVERS_SHEET, *sheets], key="import_sheet")
    return None if chosen == SERVERS_SHEET else str(chosen)
