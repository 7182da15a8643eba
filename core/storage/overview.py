"""The Overview's reads of one tenant: flows with gap counts, the gap mix, resolutions, phases."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, case, cast, func, literal, select

from core.storage.dialect import is_postgresql
from core.storage.tenant_repository import TenantRepository
from db.models import CollectionDataGap, CollectionFlow, GapCount, MasterFlow


class OverviewRepository(TenantRepository):
    """Gap counts come from the counts kept with the gaps (gap_counts, migration 0011): a few
    dozen rows per flow, however many gaps it has."""

    def _counts(self, *columns: Any) -> Any:
        gaps = func.sum(GapCount.gaps)
        return (
            self._scoped(select(*columns, gaps.label("gaps")), GapCount)
            .group_by(*columns)
            .having(gaps != 0)
        )

    def flows_with_gap_counts(self) -> list[dict[str, Any]]:
        status = GapCount.resolution_status
        per_flow = (
            self._scoped(
                select(
                    GapCount.collection_flow_id,
                    func.sum(GapCount.gaps).label("gaps"),
                    func.sum(case((status == "resolved", GapCount.gaps), else_=0)).label(
                        "resolved"
                    ),
                    func.sum(case((status == "pending", GapCount.gaps), else_=0)).label("pending"),
                ),
                GapCount,
            )
            .group_by(GapCount.collection_flow_id)
            .subquery()
        )
        query = (
            self._scoped(
                select(
                    CollectionFlow.flow_id,
                    CollectionFlow.flow_name,
                    CollectionFlow.current_phase,
                    CollectionFlow.status,
                    CollectionFlow.automation_tier,
                    CollectionFlow.progress_percentage,
                    CollectionFlow.updated_at,
                    func.coalesce(per_flow.c.gaps, 0).label("gaps"),
                    per_flow.c.resolved,
                    per_flow.c.pending,
                ).outerjoin(per_flow, per_flow.c.collection_flow_id == CollectionFlow.id),
                CollectionFlow,
            )
        ).order_by(CollectionFlow.flow_name)
        return [dict(row._mapping) for row in self.db.execute(query)]

    def _gaps(self, *columns: Any) -> Any:
        return self._scoped(
            select(*columns).join(
                CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
            ),
            CollectionFlow,
        )

    def gap_mix(self) -> list[dict[str, Any]]:
        columns = (GapCount.gap_category, GapCount.priority, GapCount.resolution_status)
        query = self._counts(*columns).order_by(*columns)
        return [
            {"category": category, "priority": priority, "status": status, "gaps": int(count)}
            for category, priority, status, count in self.db.execute(query)
        ]

    def pending_by_attribute(self) -> list[dict[str, Any]]:
        columns = (GapCount.field_name, GapCount.priority)
        query = self._counts(*columns).where(GapCount.resolution_status == "pending")
        return [
            {"attribute": attribute, "priority": priority, "gaps": int(count)}
            for attribute, priority, count in self.db.execute(query)
        ]

    def resolved_times(self, since: datetime) -> list[datetime]:
        query = (
            self._gaps(CollectionDataGap.resolved_at)
            .where(CollectionDataGap.resolved_at.is_not(None))
            .where(CollectionDataGap.resolved_at >= since)
        )
        return list(self.db.scalars(query))

    def phase_transitions(self) -> list[list[Any]]:
        query = self._scoped(select(MasterFlow.phase_transitions), MasterFlow)
        return list(self.db.scalars(query))

    def resolution_spans(self, since: datetime) -> list[tuple[datetime, datetime]]:
        """(found, resolved) of each gap resolved since `since`."""
        query = (
            self._gaps(CollectionDataGap.created_at, CollectionDataGap.resolved_at)
            .where(CollectionDataGap.resolved_at.is_not(None))
            .where(CollectionDataGap.resolved_at >= since)
        )
        return [(row[0], row[1]) for row in self.db.execute(query)]

    def resolution_weeks(self, since: datetime) -> list[tuple[date, int, float]] | None:
        """(Monday, gaps resolved, median hours from found to resolved) of each (UTC) week with
        a gap resolved since `since`, aggregated by PostgreSQL; None on SQLite, which has no
        median: the caller folds resolution_spans there."""
        if not is_postgresql(self.db):
            return None
        resolved = CollectionDataGap.resolved_at
        week = func.date_trunc("week", func.timezone("UTC", resolved))
        # A gap resolved before it was found (clock skew between writers) counts as no time.
        taken = func.greatest(
            func.extract("epoch", resolved - CollectionDataGap.created_at) / 3600, literal(0.0)
        )
        median = func.percentile_cont(0.5).within_group(cast(taken, Float))
        query = (
            self._gaps(week.label("week"), func.count().label("resolved"), median)
            .where(resolved.is_not(None))
            .where(resolved >= since)
            .group_by(week)
            .order_by(week)
        )
        return [
            (start.date(), int(count), float(hours))
            for start, count, hours in self.db.execute(query)
        ]
