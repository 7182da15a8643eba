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


def nice_step(largest: float, ticks: int = MAX_TICKS) -> int:
    """A whole step of 1, 2 or 5 times a power of ten giving at most about `ticks` ticks up to
    `largest`: 50, 100, 150, never 67, 134, 201."""
    rough = max(float(largest), 1.0) / ticks
    power = 10 ** max(0, math.floor(math.log10(rough)))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return int(factor * power)
    return int(10 * power)  # pragma: no cover - the loop always returns


def integer_axis(largest: float) -> dict[str, Any]:
    """Ticks on whole, round numbers only (no 0.5 of a flow), at most about MAX_TICKS."""
    return {"tick0": 0, "dtick": nice_step(largest), "tickformat": "d", "rangemode": "tozero"}


LEGEND_ROW_PX = 22
# Entries a legend row holds in a chart half the page wide (a whole-width one holds twice).
LEGEND_ENTRIES_PER_ROW = 3


def legend_rows(entries: int, *, whole_width: bool = False) -> int:
    per_row = LEGEND_ENTRIES_PER_ROW * (2 if whole_width else 1)
    return max(1, math.ceil(entries / per_row))


def wrapped(label: str, width: int = 22) -> str:
    """A long axis label on lines of about `width` characters (plotly breaks at <br>), so that
    it is read whole rather than crushed or cut."""
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


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
    legend_entries: int = 0,
    whole_width: bool = False,
    xaxis: dict[str, Any] | None = None,
    yaxis: dict[str, Any] | None = None,
    **layout: Any,
) -> Figure:
    """A small legend along the top and the axes' settings, in one update. A legend of
    `legend_entries` wrapping onto several rows gets room of its own above the plot, so the
    plot keeps its `height` whatever the number of entries."""
    extra = (legend_rows(legend_entries, whole_width=whole_width) - 1) * LEGEND_ROW_PX
    return figure.update_layout(
        legend=COMPACT_LEGEND,
        height=height + extra,
        margin={"t": 40 + extra, "b": 10, "l": 10, "r": 10},
        xaxis={**PLAIN_NUMBERS, **(xaxis or {})},
        yaxis={**PLAIN_NUMBERS, **(yaxis or {})},
        **layout,
    )
