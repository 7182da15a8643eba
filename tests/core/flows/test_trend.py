"""The Overview's weekly trend: PostgreSQL counts and takes the median per week in SQL, SQLite
folds every resolved gap in Python; both give the same weeks."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.flows import trend
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.overview import week_of
from db.models import CollectionDataGap
from db.types import utcnow
from tests.factories import in_uow

pytestmark = pytest.mark.both_backends


def resolve(db, gaps, found_and_resolved: list[tuple[datetime, datetime]]) -> None:
    for gap, (found, resolved) in zip(gaps, found_and_resolved, strict=False):
        gap.created_at, gap.resolved_at = found, resolved
        gap.resolution_status = "resolved"
    db.commit()


def test_each_week_counts_its_resolutions_and_the_median_hours(db, tenant, make_assets):
    assets = make_assets(tenant, 3, business_owner=None, environment="TBD")
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Trend")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    # This flow's gaps only (by its assets): the test pins its own weeks, whatever else is stored.
    gaps = list(
        db.scalars(
            select(CollectionDataGap)
            .where(CollectionDataGap.asset_id.in_([a.id for a in assets]))
            .order_by(CollectionDataGap.id)
        )
    )
    assert len(gaps) >= 5
    monday = datetime.combine(week_of(utcnow()), datetime.min.time(), utcnow().tzinfo)
    this_week, last_week = monday + timedelta(minutes=5), monday - timedelta(days=6)
    resolve(
        db,
        gaps,
        [
            (this_week - timedelta(hours=10), this_week),
            (this_week - timedelta(hours=30), this_week),
            (last_week - timedelta(hours=50), last_week),
            (last_week + timedelta(hours=1), last_week),  # found after: counts as no time
            (monday - timedelta(weeks=30), monday - timedelta(weeks=20)),  # outside the window
        ],
    )

    weeks = in_uow(db, tenant, trend.resolution_weeks)

    assert weeks == [(week_of(last_week), 2, 25.0), (week_of(this_week), 2, 20.0)]
    assert weeks == trend.fold_weeks(in_uow(db, tenant, trend.resolution_spans))
    rows = trend.weekly_trend_of_weeks([("A", *week) for week in weeks], weeks=2)
    assert [(row["resolved"], row["hours"]) for row in rows] == [(2, 25.0), (2, 20.0)]
