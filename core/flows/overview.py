"""The Overview's answers for a manager, per engagement: plain rows, ready for a chart.

Use cases read one engagement (a unit of work); the pure functions below shape rows of
any number of engagements (each row carries an `engagement` label) into what a chart draws.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any

from core.catalogue.attributes import BY_NAME
from core.flows.health import is_stuck
from core.kernel.permissions import Action
from core.kernel.phases import PHASE_ORDER, FlowStatus
from core.storage.overview import OverviewRepository
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow

RESOLUTION_WINDOW_WEEKS = 12
TOP_GAP_ATTRIBUTES = 10
THROUGHPUT_WINDOW_DAYS = 14
PHASE_INDEX = {str(phase): index for index, phase in enumerate(PHASE_ORDER)}


def overview_repository(uow: UnitOfWork) -> OverviewRepository:
    uow.require(Action.VIEW)
    return OverviewRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)


def flow_summaries(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every flow with its phase, status, progress and gap counts; completeness in [0, 1]."""
    rows = overview_repository(uow).flows_with_gap_counts()
    for row in rows:
        row["flow_id"] = str(row["flow_id"])
        row["resolved"] = int(row["resolved"] or 0)
        row["pending"] = int(row["pending"] or 0)
        row["completeness"] = row["resolved"] / row["gaps"] if row["gaps"] else None
    return rows


def gap_mix(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Gap counts by category, priority and resolution status over the engagement."""
    return overview_repository(uow).gap_mix()


def pending_gaps_by_attribute(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Pending gaps by attribute and priority over the engagement."""
    return overview_repository(uow).pending_by_attribute()


def resolution_times(uow: UnitOfWork, *, weeks: int = RESOLUTION_WINDOW_WEEKS) -> list[datetime]:
    """When each gap resolved in the last `weeks` weeks was resolved."""
    return overview_repository(uow).resolved_times(utcnow() - timedelta(weeks=weeks))


def phase_histories(uow: UnitOfWork) -> list[list[Any]]:
    """Each flow's phase transitions ({phase, status, timestamp}), oldest first."""
    return overview_repository(uow).phase_transitions()


# Pure: rows of several engagements in, chart rows out ----------------------------------------


def phase_counts(flows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Flows per engagement and phase, in phase order (the engagement's progress, stacked)."""
    counted = Counter((flow["engagement"], flow["current_phase"]) for flow in flows)
    rows = [
        {"engagement": engagement, "phase": phase, "flows": count}
        for (engagement, phase), count in counted.items()
    ]
    return sorted(rows, key=lambda row: (row["engagement"], PHASE_INDEX.get(row["phase"], 99)))


def needs_attention(
    flows: Iterable[Mapping[str, Any]],
    jobs: Mapping[str, Mapping[str, Any]],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Failed flows, stuck flows and failed or stalled jobs, each with since when; oldest first.

    `jobs`: the current job of each flow that has one, by flow_id: its `status` as shown
    (live, failed, stalled, ...), whether it is `retryable` and `since` (its last heartbeat);
    `what` names it when it is not a gap job ("Gap scan": a long phase run on a worker).
    """
    now = now or utcnow()
    rows = []
    for flow in flows:
        job = jobs.get(flow["flow_id"], {})
        why, since = None, flow["updated_at"]
        if flow["status"] == FlowStatus.FAILED:
            why = "Flow failed"
        elif job.get("retryable"):
            why, since = f"{job.get('what', 'Gap job')} {job['status']}", job["since"]
        elif is_stuck(
            flow["status"],
            flow["updated_at"],
            job.get("status") == "live",
            now,
            phase=flow["current_phase"],
        ):
            why = "Stuck (no progress, no job)"
        if why:
            rows.append({**_flow_keys(flow), "why": why, "since": since})
    return sorted(rows, key=lambda row: row["since"])


def _flow_keys(flow: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "engagement": flow["engagement"],
        "flow_id": flow["flow_id"],
        "flow_name": flow["flow_name"],
        "phase": flow["current_phase"],
    }


def flow_labels(flows: Sequence[Mapping[str, Any]]) -> list[str]:
    """A label per flow that no other flow shares: its name, with its engagement when several
    engagements are shown, and a short id when one engagement has two flows of that name."""
    engagements = {flow["engagement"] for flow in flows}
    labels = [
        f"{flow['flow_name']} · {flow['engagement']}" if len(engagements) > 1 else flow["flow_name"]
        for flow in flows
    ]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    return [
        f"{label} ({flow['flow_id'][:8]})" if label in repeated else label
        for label, flow in zip(labels, flows, strict=True)
    ]


def dominant_gaps(
    rows: Iterable[Mapping[str, Any]], top: int = TOP_GAP_ATTRIBUTES
) -> list[dict[str, Any]]:
    """Pending gaps of the `top` attributes with most of them, by priority; people's labels."""
    per_attribute: Counter[str] = Counter()
    per_priority: Counter[tuple[str, int]] = Counter()
    for row in rows:
        per_attribute[row["attribute"]] += row["gaps"]
        per_priority[(row["attribute"], row["priority"])] += row["gaps"]
    leaders = [attribute for attribute, _ in per_attribute.most_common(top)]
    return [
        {
            "attribute": _attribute_label(attribute),
            "priority": priority,
            "gaps": per_priority[(attribute, priority)],
        }
        for attribute in leaders
        for priority in sorted(p for a, p in per_priority if a == attribute)
    ]


def _attribute_label(name: str) -> str:
    attribute = BY_NAME.get(name)
    return attribute.label if attribute else name.replace("_", " ").capitalize()


def week_of(moment: datetime | date) -> date:
    """The Monday of the (UTC) week of `moment`."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return day - timedelta(days=day.weekday())


def weekly_counts(
    moments: Iterable[tuple[str, datetime]],
    *,
    weeks: int = RESOLUTION_WINDOW_WEEKS,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """(engagement, moment) pairs counted per engagement and week (Monday), over the last
    `weeks` weeks, weeks without any included as 0, oldest first."""
    last = week_of(today or utcnow().date())
    starts = [last - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    counted = Counter((engagement, week_of(moment)) for engagement, moment in moments)
    engagements = sorted({engagement for engagement, _ in counted})
    return [
        {"engagement": engagement, "week": start, "resolved": counted[(engagement, start)]}
        for engagement in engagements
        for start in starts
    ]


def phase_durations(histories: Iterable[tuple[str, Sequence[Mapping[str, Any]]]]) -> list[dict]:
    """(engagement, phase transitions) pairs: the median hours flows spent in each phase they
    have left, per engagement, in phase order (repeated stays in one phase add up)."""
    spent: dict[tuple[str, str], list[float]] = defaultdict(list)
    for engagement, transitions in histories:
        per_phase: dict[str, float] = defaultdict(float)
        phase, entered = None, None
        for transition in transitions:  # a status change within a phase is no new stay
            moment = datetime.fromisoformat(transition["timestamp"])
            if transition["phase"] == phase:
                continue
            if phase is not None and entered is not None:
                per_phase[phase] += (moment - entered).total_seconds() / 3600
            phase, entered = transition["phase"], moment
        for phase, hours in per_phase.items():
            spent[(engagement, phase)].append(hours)
    rows = [
        {"engagement": engagement, "phase": phase, "hours": median(hours), "flows": len(hours)}
        for (engagement, phase), hours in spent.items()
    ]
    return sorted(rows, key=lambda row: (row["engagement"], PHASE_INDEX.get(row["phase"], 99)))


def time_unit(largest_hours: float) -> tuple[str, float]:
    """The unit to show durations up to `largest_hours` in, and how many of it make an hour."""
    if largest_hours < 1 / 30:
        return "Seconds", 3600.0
    if largest_hours < 2:
        return "Minutes", 60.0
    if largest_hours < 72:
        return "Hours", 1.0
    return "Days", 1 / 24


def daily_throughput(
    jobs: Iterable[tuple[str, datetime, int]],
    *,
    days: int = THROUGHPUT_WINDOW_DAYS,
    today: date | None = None,
) -> list[dict[str, Any]]:
    """(engagement, when, gaps processed) of every job: gaps processed per engagement and day,
    from `days` days ago (or the first job, if earlier) to today, days without any as 0."""
    counted: Counter[tuple[str, date]] = Counter()
    for engagement, moment, processed in jobs:
        counted[(engagement, moment.date())] += processed
    if not counted:
        return []
    last = today or utcnow().date()
    first = min(last - timedelta(days=days - 1), *(day for _, day in counted))
    span = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return [
        {"engagement": engagement, "day": day, "gaps": counted[(engagement, day)]}
        for engagement in sorted({engagement for engagement, _ in counted})
        for day in span
    ]
