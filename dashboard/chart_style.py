"""How every chart reads: counts on whole-number axes, days as dates, legends kept small.

The axis helpers return layout settings; `compact` applies them with the rest in one update
(each update of a plotly figure validates what it touches, which is most of a chart's cost).
"""

import math
from datetime import date
from typing import Any

from plotly.graph_objects import Figure

DAY_MS = 86_400_000
MAX_TICKS = 8
# Legends along the top, in one line, instead of a column taking half the width.
COMPACT_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None}
# Numbers as numbers: no SI prefixes ('200µ', '1.5k').
PLAIN_NUMBERS = {"exponentformat": "none"}


def integer_axis(largest: float) -> dict[str, Any]:
    """Ticks on whole numbers only (no 0.5 of a flow), at most about MAX_TICKS of them."""
    step = max(1, math.ceil(largest / MAX_TICKS))
    return {"tick0": 0, "dtick": step, "tickformat": "d", "rangemode": "tozero"}


def date_axis(first: date, last: date, *, step_days: int = 1) -> dict[str, Any]:
    """Ticks on days (or weeks), written as dates: no '00:00:00' and no '21:59:59.9995'."""
    span = max((last - first).days // step_days + 1, 1)
    step = step_days * max(1, math.ceil(span / MAX_TICKS))
    return {
        "type": "date",
        "tick0": first.isoformat(),
        "dtick": step * DAY_MS,
        "tickformat": "%d %b %Y",
    }


def compact(
    figure: Figure,
    *,
    height: int = 320,
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    **layout: Any,
) -> Figure:
    """A small legend along the top, in little room, and the axes' settings, in one update."""
    return figure.update_layout(
        legend=COMPACT_LEGEND,
        height=height,
        margin={"t": 40, "b": 10, "l": 10, "r": 10},
        xaxis={**PLAIN_NUMBERS, **(xaxis or {})},
        yaxis={**PLAIN_NUMBERS, **(yaxis or {})},
        **layout,
    )
