"""Is the team getting faster: per engagement and week, how many gaps were resolved and how
long a gap took from being found to being resolved (the median), over the last weeks."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from core.flows.overview import RESOLUTION_WINDOW_WEEKS, overview_repository, week_of
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow


def resolution_spans(
    uow: UnitOfWork, *, weeks: int = RESOLUTION_WINDOW_WEEKS
) -> list[tuple[datetime, datetime]]:
    """(found, resolved) of each gap of the engagement resolved in the last `weeks` weeks."""
    return overview_repository(uow).resolution_spans(utcnow() - timedelta(weeks=weeks))


def weekly_trend(
    spans: Iterable[tuple[str, datetime, datetime]],
    *,
    weeks: int = RESOLUTION_WINDOW_WEEKS,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """(engagement, found, resolved) of each gap: per engagement and week of resolution
    (Monday), the gaps resolved and the median hours from found to resolved (None in a week
    with none resolved), oldest first."""
    last = week_of(today or utcnow().date())
    starts = [last - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    hours: dict[tuple[str, date], list[float]] = defaultdict(list)
    for engagement, found, resolved in spans:
        taken = max((resolved - found).total_seconds() / 3600, 0.0)
        hours[(engagement, week_of(resolved))].append(taken)
    engagements = sorted({engagement for engagement, _ in hours})
    return [
        {
            "engagement": engagement,
            "week": start,
            "resolved": len(hours.get((engagement, start), ())),
            "hours": median(hours[(engagement, start)]) if (engagement, start) in hours else None,
        }
        for engagement in engagements
        for start in starts
    ]
