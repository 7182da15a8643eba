"""A value as people write it into a cell or an answer, as text: the one cleaner.

Trimmed, its bidirectional controls dropped (core/kernel/text.py says why), numbers and
dates from a spreadsheet written as a person would type them, None when nothing is left.
Placeholders ("TBD", "N/A", "unknown") are recognised here and nowhere else.
"""

import math
from datetime import date, datetime, time
from typing import Any

from core.kernel.text import without_bidi_controls

# What real inventories put where a value should be.
PLACEHOLDERS = frozenset(
    {"", "tbd", "tbc", "n/a", "na", "none", "null", "unknown", "?", "-", "--", "todo", "xxx"}
)


class ValueProblem(ValueError):
    """Why a value cannot be read; the message is for people, as it is."""


def is_placeholder(text: str) -> bool:
    """Whether `text` stands where a value should be ("TBD", " n/a ", "")."""
    return text.strip().lower() in PLACEHOLDERS


def clean_value(raw: Any) -> str | None:
    """`raw` as text, None when empty; a NUL character (no database keeps it) is refused."""
    if raw is None:
        return None
    if type(raw) is str:  # the common case (every CSV cell), first
        text = raw.strip()
    elif isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        text = str(int(raw))  # spreadsheets store 2019 as 2019.0
    elif isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == time() else raw.isoformat()
    elif isinstance(raw, date | time):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if "\x00" in text:
        raise ValueProblem("holds a NUL character")
    if not text.isascii():
        text = without_bidi_controls(text).strip()
    return text or None


def shown(raw: Any) -> str:
    """`raw` quoted for a reason given to people, cut at 40 characters."""
    text = repr(raw if not isinstance(raw, str) else raw.strip())
    return text if len(text) <= 40 else text[:40] + "…"
