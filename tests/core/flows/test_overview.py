"""The Overview's chart rows: progress by phase, what needs a hand, gaps, pace (pure)."""

from datetime import UTC, date, datetime, timedelta

from core.flows.health import STUCK_AFTER
from core.flows.overview import (
    daily_throughput,
    dominant_gaps,
    flow_labels,
    needs_attention,
    phase_counts,
    phase_durations,
    time_unit,
    week_of,
    weekly_counts,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def flow(name="Wave", engagement="Acme / W1", phase="gap_analysis", status="running", **more):
    return {
        "flow_id": more.pop("flow_id", f"{name}-{engagement}-id"),
        "flow_name": name,
        "engagement": engagement,
        "current_phase": phase,
        "status": status,
        "updated_at": more.pop("updated_at", NOW),
        **more,
    }


def test_flows_are_counted_per_engagement_in_phase_order():
    flows = [
        flow("a", phase="manual_collection"),
        flow("b", phase="initialization"),
        flow("c", phase="manual_collection"),
        flow("d", engagement="Beta / W1", phase="assessment"),
    ]
    assert phase_counts(flows) == [
        {"engagement": "Acme / W1", "phase": "initialization", "flows": 1},
        {"engagement": "Acme / W1", "phase": "manual_collection", "flows": 2},
        {"engagement": "Beta / W1", "phase": "assessment", "flows": 1},
    ]


def test_what_needs_a_hand_says_why_and_since_when_oldest_first():
    long_ago = NOW - STUCK_AFTER - timedelta(minutes=5)
    hour_ago = NOW - timedelta(hours=1)
    flows = [
        flow("fine", flow_id="1"),
        flow("failed", status="failed", flow_id="2", updated_at=hour_ago),
        flow("stuck", flow_id="3", updated_at=long_ago),
        flow("waiting on its job", flow_id="4", updated_at=long_ago),
        flow("job stalled", flow_id="5"),
        flow("waiting for people", status="paused", flow_id="6", updated_at=long_ago),
        flow("waiting for answers", phase="manual_collection", flow_id="7", updated_at=long_ago),
    ]
    jobs = {
        "4": {"status": "live", "since": NOW},
        "5": {"status": "stalled", "retryable": True, "since": NOW - timedelta(hours=3)},
    }
    rows = needs_attention(flows, jobs, NOW)
    assert [(row["flow_name"], row["why"], row["since"]) for row in rows] == [
        ("job stalled", "Gap job stalled", NOW - timedelta(hours=3)),
        ("failed", "Flow failed", hour_ago),
        ("stuck", "Stuck (no progress, no job)", long_ago),
    ]


def test_a_long_scan_on_a_worker_keeps_its_flow_live_and_says_itself_when_it_stalls():
    long_ago = NOW - timedelta(hours=2)
    flows = [flow("scanning", updated_at=long_ago), flow("stalled", updated_at=long_ago)]
    jobs = {
        "scanning-Acme / W1-id": {"status": "live", "retryable": False, "since": NOW},
        "stalled-Acme / W1-id": {
            "status": "worker offline",
            "retryable": True,
            "since": long_ago,
            "what": "Gap scan",
        },
    }
    rows = needs_attention(flows, jobs, NOW)
    assert [(row["flow_name"], row["why"]) for row in rows] == [
        ("stalled", "Gap scan worker offline")
    ]


def test_flows_of_two_engagements_with_one_name_stay_apart():
    same = [flow("Wave 1", "Acme / W1", flow_id="a" * 36), flow("Wave 1", "Beta / W1")]
    assert flow_labels(same) == ["Wave 1 · Acme / W1", "Wave 1 · Beta / W1"]
    twins = [flow("Wave 1", flow_id="1234567890"), flow("Wave 1", flow_id="abcdefghij")]
    assert flow_labels(twins) == ["Wave 1 (12345678)", "Wave 1 (abcdefgh)"]
    assert flow_labels([flow("Wave 1")]) == ["Wave 1"]


def test_the_dominant_gaps_are_the_attributes_with_most_pending_in_peoples_words():
    rows = [
        {"attribute": "business_owner", "priority": 2, "gaps": 4},
        {"attribute": "operating_system", "priority": 1, "gaps": 3},
        {"attribute": "business_owner", "priority": 1, "gaps": 1},
        {"attribute": "environment", "priority": 3, "gaps": 1},
    ]
    assert dominant_gaps(rows, top=2) == [
        {"attribute": "Business owner", "priority": 1, "gaps": 1},
        {"attribute": "Business owner", "priority": 2, "gaps": 4},
        {"attribute": "Operating system family", "priority": 1, "gaps": 3},
    ]


def test_resolutions_are_counted_per_week_with_empty_weeks_as_zero():
    today = date(2026, 11, 27)  # a Friday
    assert week_of(today) == date(2026, 11, 23)
    moments = [
        ("Acme", datetime(2026, 11, 24, 23, 59, tzinfo=UTC)),
        ("Acme", datetime(2026, 11, 23, 0, 1, tzinfo=UTC)),
        ("Acme", datetime(2026, 11, 10, tzinfo=UTC)),
    ]
    assert weekly_counts(moments, weeks=3, today=today) == [
        {"engagement": "Acme", "week": date(2026, 11, 9), "resolved": 1},
        {"engagement": "Acme", "week": date(2026, 11, 16), "resolved": 0},
        {"engagement": "Acme", "week": date(2026, 11, 23), "resolved": 2},
    ]
    assert all(isinstance(row["resolved"], int) for row in weekly_counts(moments, today=today))


def test_time_in_each_phase_is_the_median_of_the_flows_that_left_it():
    def at(hours):
        return (NOW + timedelta(hours=hours)).isoformat()

    first = [
        {"phase": "initialization", "status": "running", "timestamp": at(0)},
        {"phase": "asset_selection", "status": "paused", "timestamp": at(1)},
        {"phase": "asset_selection", "status": "running", "timestamp": at(2)},  # same stay
        {"phase": "gap_analysis", "status": "running", "timestamp": at(5)},
    ]
    second = [
        {"phase": "initialization", "status": "running", "timestamp": at(0)},
        {"phase": "asset_selection", "status": "paused", "timestamp": at(3)},
        {"phase": "gap_analysis", "status": "running", "timestamp": at(4)},
    ]
    rows = phase_durations([("Acme", first), ("Acme", second), ("Acme", [])])
    assert rows == [
        {"engagement": "Acme", "phase": "initialization", "hours": 2.0, "flows": 2},
        {"engagement": "Acme", "phase": "asset_selection", "hours": 2.5, "flows": 2},
    ]


def test_job_throughput_is_gaps_processed_per_engagement_and_day_empty_days_as_zero():
    rows = daily_throughput(
        [
            ("Acme", datetime(2026, 11, 26, 23, 0, tzinfo=UTC), 35),
            ("Acme", datetime(2026, 11, 26, 9, 0, tzinfo=UTC), 22),
            ("Beta", datetime(2026, 11, 27, 1, 0, tzinfo=UTC), 3),
        ],
        days=3,
        today=date(2026, 11, 27),
    )
    assert [(row["engagement"], row["day"].day, row["gaps"]) for row in rows] == [
        ("Acme", 25, 0),
        ("Acme", 26, 57),
        ("Acme", 27, 0),
        ("Beta", 25, 0),
        ("Beta", 26, 0),
        ("Beta", 27, 3),
    ]
    assert daily_throughput([], today=date(2026, 11, 27)) == []


def test_durations_are_shown_in_a_unit_that_fits_them():
    assert time_unit(0.0002) == ("Seconds", 3600.0)
    assert time_unit(0.5) == ("Minutes", 60.0)
    assert time_unit(30) == ("Hours", 1.0)
    assert time_unit(200) == ("Days", 1 / 24)
