"""What reading an uploaded file leaves for the next read of the same file.

A page previews a file several times (as detected, with a saved mapping, with a person's
choices) and then imports it: a workbook's shared-string table, up to 64 MB of XML, is read
once for all of them. The memo is the caller's to keep per file (the dashboard keys it by the
file's digest); a table is found again by the part's checksum and size in the zip's directory
and the limits it was read under, so a memo given another file reads that file's own.
"""

import threading
from collections.abc import Callable, Hashable

from core.inventory.xlsx_shared_strings import SharedStrings


class UploadMemo:
    """The shared-string table of the last workbook read with it (one: it holds one file)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # two reads at once (a page run and the next) read once
        self._key: Hashable = None
        self._strings: SharedStrings | None = None

    def shared_strings(self, key: Hashable, read: Callable[[], SharedStrings]) -> SharedStrings:
        with self._lock:
            if self._strings is None or self._key != key:
                self._strings, self._key = None, None  # the other file's table goes first
                self._strings, self._key = read(), key
            return self._strings
