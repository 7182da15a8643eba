"""Every piece of text an AppTest page shows a person: labels, values, options, table headers and
cells, chart legends and axes; never widget keys or internal ids."""

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
from streamlit.testing.v1 import AppTest

from tests.words import identifiers_in

TEXT_FIELDS = ("label", "value", "options", "help", "placeholder", "body", "text", "caption")
# A choice's value is what the code holds; the person reads its options, as formatted.
CHOICES = ("selectbox", "multiselect", "radio", "select_slider")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _table(frame: pd.DataFrame) -> Iterator[str]:
    yield from (str(column) for column in frame.columns)
    for column in frame.columns:
        for cell in frame[column]:
            if isinstance(cell, str):
                yield cell


def _chart(spec: str) -> Iterator[str]:
    figure = json.loads(spec)
    layout = figure.get("layout", {})
    for trace in figure.get("data", []):
        yield from _strings(trace.get("name"))
        for axis in ("x", "y"):
            yield from (item for item in _strings(trace.get(axis)) if isinstance(item, str))
    for part in layout.values():
        if isinstance(part, dict):
            title = part.get("title")
            if isinstance(title, dict):
                yield from _strings(title.get("text"))
            yield from _strings(part.get("ticktext"))


def shown_texts(app: AppTest) -> list[str]:
    """What the page shows, each piece as a string."""
    found: list[str] = []

    def walk(node: Any) -> None:
        kind = getattr(node, "type", "")
        if kind == "plotly_chart":
            found.extend(_chart(node.proto.spec))
        elif kind in ("arrow_data_frame", "dataframe", "table"):
            found.extend(_table(node.value))
        else:
            for field in TEXT_FIELDS:
                if kind in CHOICES and field == "value":
                    continue
                try:
                    value = getattr(node, field)
                except Exception:
                    continue
                found.extend(_strings(value))
        children = getattr(node, "children", None) or {}
        for child in children.values():
            walk(child)

    walk(app._tree)
    return found


def identifiers(app: AppTest) -> dict[str, str]:
    """The snake_case identifiers anywhere in what the page shows, each with a text it is in."""
    return identifiers_in(shown_texts(app))
