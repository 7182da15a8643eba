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

# (Monday of the week, gaps resolved in it, median hours from found to resolved)
ResolutionWeek = tuple[date, int, float]


def resolution_spans(
    uow: UnitOfWork, *, weeks: int = RESOLUTION_WINDOW_WEEKS
) -> list[tuple[datetime, datetime]]:
    """(found, resolved) of each gap of the engagement resolved in the last `weeks` weeks."""
    return overview_repository(uow).resolution_spans(utcnow() - timedelta(weeks=weeks))


def resolution_weeks(
    uow: UnitOfWork, *, weeks: int = RESOLUTION_WINDOW_WEEKS
) -> list[ResolutionWeek]:
    """Each week of the last `weeks` with a gap of the engagement resolved, oldest first:
    counted and the median taken by PostgreSQL, a few rows however many gaps were resolved
    (on SQLite, folded here from every resolved gap)."""
    since = utcnow() - timedelta(weeks=weeks)
    repository = overview_repository(uow)
    aggregated = repository.resolution_weeks(since)
    if aggregated is not None:
        return aggregated
    return fold_weeks(repository.resolution_spans(since))


def fold_weeks(spans: Iterable[tuple[datetime, datetime]]) -> list[ResolutionWeek]:
    """(found, resolved) of each gap -> the weeks with a resolution, as resolution_weeks."""
    hours: dict[date, list[float]] = defaultdict(list)
    for found, resolved in spans:
        hours[week_of(resolved)].append(max((resolved - found).total_seconds() / 3600, 0.0))
    return [(week, len(taken), median(taken)) for week, taken in sorted(hours.items())]


def weekly_trend(
    spans: Iterable[tuple[str, datetime, datetime]],
    *,
    weeks: int = RESOLUTION_WINDOW_WEEKS,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """(engagement, found, resolved) of each gap: per engagement and week of resolution
    (Monday), the gaps resolved and the median hours from found to resolved (None in a week
    with none resolved), oldest first."""
    per_engagement: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for engagement, found, resolved in spans:
        per_engagement[engagement].append((found, resolved))
    folded = [
        (engagement, *week)
        for engagement, pairs in per_engagement.items()
        for week in fold_weeks(pairs)
    ]
    return weekly_trend_of_weeks(folded, weeks=weeks, today=today)


def weekly_trend_of_weeks(
    resolution_weeks: Iterable[tuple[str, date, int, float]],
    *,
    weeks: int = RESOLUTION_WINDOW_WEEKS,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """(engagement, Monday, resolved, median hours) of each week with a resolution -> the rows
    of weekly_trend: every engagement and week of the window, weeks without one as 0 / None."""
    last = week_of(today or utcnow().date())
    starts = [last - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    figures = {
        (engagement, week): (count, hours) for engagement, week, count, hours in resolution_weeks
    }
    engagements = sorted({engagement for engagement, _ in figures})
    return [
        {
            "engagement": engagement,
            "week": start,
            "resolved": figures[(engagement, start)][0] if (engagement, start) in figures else 0,
            "hours": figures[(engagement, start)][1] if (engagement, start) in figures else None,
        }
        for engagement in engagements
        for start in starts
    ]
