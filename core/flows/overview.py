"""The Overview page's aggregates for one engagement: plain dicts, ready for a chart."""

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import case, func, select

from core.kernel.permissions import Action
from core.storage.tenant_repository import TenantRepository
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionDataGap, CollectionFlow
from db.types import utcnow

RESOLUTION_WINDOW_DAYS = 90


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

    def gap_mix(self) -> list[dict[str, Any]]:
        columns = (
            CollectionDataGap.gap_category,
            CollectionDataGap.priority,
            CollectionDataGap.resolution_status,
        )
        query = (
            self._scoped(
                select(*columns, func.count()).join(
                    CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
                ),
                CollectionFlow,
            )
            .group_by(*columns)
            .order_by(*columns)
        )
        return [
            {"category": category, "priority": priority, "status": status, "gaps": count}
            for category, priority, status, count in self.db.execute(query)
        ]

    def resolved_times(self, since) -> list:
        query = (
            self._scoped(
                select(CollectionDataGap.resolved_at).join(
                    CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
                ),
                CollectionFlow,
            )
            .where(CollectionDataGap.resolved_at.is_not(None))
            .where(CollectionDataGap.resolved_at >= since)
        )
        return list(self.db.scalars(query))


def _repository(uow: UnitOfWork) -> OverviewRepository:
    uow.require(Action.VIEW)
    return OverviewRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)


def flow_summaries(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every flow with its phase, status, progress and gap counts; completeness in [0, 1]."""
    rows = _repository(uow).flows_with_gap_counts()
    for row in rows:
        row["flow_id"] = str(row["flow_id"])
        row["resolved"] = int(row["resolved"] or 0)
        row["pending"] = int(row["pending"] or 0)
        row["completeness"] = row["resolved"] / row["gaps"] if row["gaps"] else None
    return rows


def gap_mix(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Gap counts by category, priority and resolution status over the engagement."""
    return _repository(uow).gap_mix()


def resolutions_per_day(
    uow: UnitOfWork, *, days: int = RESOLUTION_WINDOW_DAYS
) -> list[dict[str, Any]]:
    """Gaps resolved per UTC day over the last `days` days, oldest first, days without any left out."""
    since = utcnow() - timedelta(days=days)
    per_day = Counter(
        moment.date().isoformat() for moment in _repository(uow).resolved_times(since)
    )
    return [{"day": day, "resolved": per_day[day]} for day in sorted(per_day)]
