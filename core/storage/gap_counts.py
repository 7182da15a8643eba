"""A tenant's gap counts, kept with the gaps by triggers (migration 0011): read, and folded."""

import uuid
from collections import Counter
from typing import Any

from sqlalchemy import Select, delete, func, insert, select

from core.storage.tenant_repository import TenantRepository
from db.models import GapCount

# One group of gaps: (attribute, category, priority, type, status).
GROUP = (
    GapCount.field_name,
    GapCount.gap_category,
    GapCount.priority,
    GapCount.gap_type,
    GapCount.resolution_status,
)
Group = tuple[str, str, int, str, str]


class GapCountRepository(TenantRepository):
    def _summed(self, *columns: Any) -> Select:
        gaps = func.sum(GapCount.gaps)
        return (
            self._scoped(select(*columns, gaps), GapCount)
            .group_by(*columns)
            .having(gaps != 0)
            .order_by(*columns)
        )

    def flow_groups(self, collection_flow_id: uuid.UUID) -> list[tuple[Group, int]]:
        """Each group of the flow's gaps with its count (groups with none left out)."""
        query = self._summed(*GROUP).where(GapCount.collection_flow_id == collection_flow_id)
        return [(tuple(values), int(count)) for *values, count in self.db.execute(query)]

    def engagement_groups(self) -> list[tuple[uuid.UUID, Group, int]]:
        """(collection_flow_id, group, gaps) over every flow of the engagement."""
        query = self._summed(GapCount.collection_flow_id, *GROUP)
        return [
            (flow, tuple(values), int(count)) for flow, *values, count in self.db.execute(query)
        ]

    def fold(self, collection_flow_id: uuid.UUID) -> int:
        """Sum the flow's rows into one per group; the number of groups kept.

        The rows are deleted and their sums written back in one transaction; rows another
        transaction adds meanwhile are not among those deleted, so no change is lost or
        counted twice (on SQLite the write lock keeps others out anyway).
        """
        removed = self.db.execute(
            delete(GapCount)
            .where(GapCount.client_account_id == self.client_account_id)
            .where(GapCount.engagement_id == self.engagement_id)
            .where(GapCount.collection_flow_id == collection_flow_id)
            .returning(*GROUP, GapCount.gaps)
            .execution_options(synchronize_session=False)
        ).all()
        sums: Counter[tuple[Any, ...]] = Counter()
        for *group, gaps in removed:
            sums[tuple(group)] += gaps
        rows = [
            {
                "id": uuid.uuid4(),
                "client_account_id": self.client_account_id,
                "engagement_id": self.engagement_id,
                "collection_flow_id": collection_flow_id,
                **dict(zip((column.key for column in GROUP), group, strict=True)),
                "gaps": gaps,
            }
            for group, gaps in sorted(sums.items())
            if gaps
        ]
        if rows:
            self.db.execute(insert(GapCount), rows)
        return len(rows)
