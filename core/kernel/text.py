"""People's text as core keeps it: no control characters, no bidirectional controls.

PostgreSQL refuses NUL in text, and the other C0/C1 controls are never meant in a name or a
filter. The bidirectional embeddings, overrides and isolates (and the directional marks)
are invisible yet reorder what follows them (U+202E before "gpj.exe" shows it as "exe.jpg"):
they are dropped, never stored.
"""

import re

from core.kernel.errors import BadRequest

BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Every control character (Unicode category Cc: C0, DEL, C1) and the Unicode line breaks.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# The same, less tab, line feed and carriage return, for text of several lines.
_CONTROLS_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = frozenset("\n\r\x85\u2028\u2029")


def without_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def clean_text(text: str, field: str, *, multiline: bool = False, label: str | None = None) -> str:
    """`text` less its bidirectional controls; a 400 naming `field` (or `label`, in the
    message) if it holds a control character. Tab and line breaks pass when `multiline`."""
    found = (_CONTROLS_BUT_LINE_BREAKS if multiline else _CONTROLS).search(text)
    if found is not None:
        character, named = found.group(), label or field
        if character in _LINE_BREAKS and not multiline:
            raise BadRequest(f"{named} must be one line", field=field)
        raise BadRequest(
            f"{named} holds an invisible control character (U+{ord(character):04X}); remove it",
            field=field,
        )
    return without_bidi_controls(text)
