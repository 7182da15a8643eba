"""How every chart reads: counts on whole-number axes, days as dates, legends kept small."""

import math
from datetime import date

from plotly.graph_objects import Figure

DAY_MS = 86_400_000
MAX_TICKS = 8
# Legends along the top, in one line, instead of a column taking half the width.
COMPACT_LEGEND = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None}


def integer_axis(figure: Figure, axis: str, largest: float) -> Figure:
    """Ticks on whole numbers only (no 0.5 of a flow), at most about MAX_TICKS of them."""
    step = max(1, math.ceil(largest / MAX_TICKS))
    update = figure.update_xaxes if axis == "x" else figure.update_yaxes
    update(tick0=0, dtick=step, tickformat="d", rangemode="tozero")
    return figure


def date_axis(figure: Figure, first: date, last: date, *, step_days: int = 1) -> Figure:
    """Ticks on days (or weeks), written as dates: no '00:00:00' and no '21:59:59.9995'."""
    span = max((last - first).days // step_days + 1, 1)
    step = step_days * max(1, math.ceil(span / MAX_TICKS))
    figure.update_xaxes(
        type="date", tick0=first.isoformat(), dtick=step * DAY_MS, tickformat="%d %b %Y"
    )
    return figure


def compact(figure: Figure, *, height: int = 320) -> Figure:
    """A small legend along the top, in little room; numbers without SI prefixes (no '200µ')."""
    figure.update_yaxes(exponentformat="none")
    figure.update_xaxes(exponentformat="none")
    figure.update_layout(
        legend=COMPACT_LEGEND, height=height, margin={"t": 40, "b": 10, "l": 10, "r": 10}
    )
    return figure
