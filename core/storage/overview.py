"""The Overview's reads of one tenant: flows with gap counts, the gap mix, resolutions, phases."""

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from core.storage.tenant_repository import TenantRepository
from db.models import CollectionDataGap, CollectionFlow, MasterFlow


class OverviewRepository(TenantRepository):
    def flows_with_gap_counts(self) -> list[dict[str, Any]]:
        status = CollectionDataGap.resolution_status
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
                    func.count(CollectionDataGap.id).label("gaps"),
                    func.sum(case((status == "resolved", 1), else_=0)).label("resolved"),
                    func.sum(case((status == "pending", 1), else_=0)).label("pending"),
                ).outerjoin(
                    CollectionDataGap, CollectionDataGap.collection_flow_id == CollectionFlow.id
                ),
                CollectionFlow,
            )
            .group_by(CollectionFlow.id)
            .order_by(CollectionFlow.flow_name)
        )
        return [dict(row._mapping) for row in self.db.execute(query)]

    def _gaps(self, *columns: Any) -> Any:
        return self._scoped(
            select(*columns).join(
                CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
            ),
            CollectionFlow,
        )

    def gap_mix(self) -> list[dict[str, Any]]:
        columns = (
            CollectionDataGap.gap_category,
            CollectionDataGap.priority,
            CollectionDataGap.resolution_status,
        )
        query = self._gaps(*columns, func.count()).group_by(*columns).order_by(*columns)
        return [
            {"category": category, "priority": priority, "status": status, "gaps": count}
            for category, priority, status, count in self.db.execute(query)
        ]

    def pending_by_attribute(self) -> list[dict[str, Any]]:
        columns = (CollectionDataGap.field_name, CollectionDataGap.priority)
        query = (
            self._gaps(*columns, func.count())
            .where(CollectionDataGap.resolution_status == "pending")
            .group_by(*columns)
        )
        return [
            {"attribute": attribute, "priority": priority, "gaps": count}
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
