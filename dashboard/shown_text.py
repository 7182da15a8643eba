"""People's text and times as a page shows them: as typed, never as markdown or HTML."""

import re
import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st


def local_time(moment: datetime | str | None) -> str:
    """A UTC time in the viewer's time zone (from the browser), to the minute, with the zone."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    zone_name = st.context.timezone
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    if moment.tzinfo is None:  # stored times are UTC; a naive one is read as such
        moment = moment.replace(tzinfo=UTC)
    shown = moment.astimezone(zone or UTC)
    # Always with its zone ("CET", "UTC", "+0530"), so a time read by someone elsewhere or
    # pasted into a ticket says which clock it is on.
    return shown.strftime("%Y-%m-%d %H:%M ") + (shown.tzname() or shown.strftime("%z"))


# Every ASCII punctuation character may be backslash-escaped in (GitHub-flavoured) markdown,
# and each escaped one shows as itself: no emphasis, link, image, HTML, directive or formula.
_MARKDOWN_ESCAPES = str.maketrans({char: "\\" + char for char in string.punctuation})
# The browser's markdown links a bare www. or scheme: whatever is escaped; an invisible word
# joiner after where each would start keeps it text. Emails are left whole, so that one can be
# copied from a message (at worst it becomes a mailto link of itself).
WORD_JOINER = "\u2060"
_LINK_STARTS = re.compile(r"(?i)www|\\:")
_CHART_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def plain(text: object) -> str:
    """People's text made to show as itself in an element that renders markdown (titles,
    captions, alerts, widget labels and help)."""
    escaped = str(text).translate(_MARKDOWN_ESCAPES)
    return _LINK_STARTS.sub(lambda start: start.group() + WORD_JOINER, escaped)


def chart_text(text: object) -> str:
    """People's text made to show as itself in a plotly label (which takes a few HTML tags)."""
    return str(text).translate(_CHART_ESCAPES)
