"""The Gaps page's read model: one page of a flow's gaps, filtered and counted on the server."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select

from core.gaps.filters import GapFilters
from core.kernel.edge import parse_input
from core.kernel.inputs import parse_int
from core.kernel.permissions import Action
from core.storage.gaps import GapRepository
from core.storage.unit_of_work import UnitOfWork
from db.models import Asset, CollectionDataGap

MAX_GAP_PAGE = 1000
FACETS = ("gap_category", "priority", "gap_type", "resolution_status")
GAP_COLUMNS = (
    "id",
    "asset_id",
    "field_name",
    "gap_type",
    "gap_category",
    "priority",
    "impact_on_sixr",
    "predicted_value",
    "confidence_score",
    "source_agent",
    "resolution_status",
    "resolved_value",
    "updated_at",
    "ai_suggestions",
)


@dataclass(frozen=True)
class GapPage:
    filters: GapFilters  # as parsed: what the page's table is keyed on
    rows: list[dict[str, Any]]
    total: int  # gaps matching the filters, over all pages
    flow_total: int  # gaps of the flow, unfiltered
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per facet, matching gaps


class GapListingRepository(GapRepository):
    def _filtered(self, collection_flow_id: uuid.UUID, filters: GapFilters) -> Select:
        query = (
            self._gaps()
            .join(Asset, Asset.id == CollectionDataGap.asset_id)
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
        )
        if filters.categories:
            query = query.where(CollectionDataGap.gap_category.in_(filters.categories))
        if filters.priorities:
            query = query.where(CollectionDataGap.priority.in_(filters.priorities))
        if filters.gap_types:
            query = query.where(CollectionDataGap.gap_type.in_(filters.gap_types))
        if filters.statuses:
            query = query.where(CollectionDataGap.resolution_status.in_(filters.statuses))
        if filters.asset_name_contains:
            query = query.where(
                func.lower(Asset.name).contains(
                    filters.asset_name_contains.lower(), autoescape=True
                )
            )
        return query

    def page(
        self, collection_flow_id: uuid.UUID, filters: GapFilters, limit: int, offset: int
    ) -> list[dict[str, Any]]:
        columns = [getattr(CollectionDataGap, name) for name in GAP_COLUMNS]
        query = (
            self._filtered(collection_flow_id, filters)
            .with_only_columns(*columns, Asset.name.label("asset_name"), Asset.asset_type)
            .order_by(Asset.name, CollectionDataGap.priority, CollectionDataGap.field_name)
            .limit(limit)
            .offset(offset)
        )
        rows = [dict(row._mapping) for row in self.db.execute(query)]
        for row in rows:  # the table shows why a value is predicted, not the whole evidence
            row["evidence"] = (row.pop("ai_suggestions") or {}).get("evidence")
        return rows

    def facet_counts(
        self, collection_flow_id: uuid.UUID, filters: GapFilters
    ) -> dict[str, dict[str, int]]:
        # One scan: group by every facet at once (a few hundred groups at most), then add up.
        base = self._filtered(collection_flow_id, filters).subquery()
        columns = [base.c[facet] for facet in FACETS]
        query = select(*columns, func.count()).group_by(*columns)
        totals: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
        for *values, count in self.db.execute(query):
            for facet, value in zip(FACETS, values, strict=True):
                totals[facet][str(value)] = totals[facet].get(str(value), 0) + count
        return {facet: dict(sorted(found.items())) for facet, found in totals.items()}

    def count_all(self, collection_flow_id: uuid.UUID) -> int:
        query = (
            self._gaps()
            .with_only_columns(func.count())
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
        )
        return self.db.scalar(query) or 0


def page_gaps(
    uow: UnitOfWork,
    flow_id: str,
    filters: GapFilters | Mapping[str, Any] | None = None,
    *,
    limit: int = 500,
    offset: int = 0,
) -> GapPage:
    """One page of the flow's gaps (with asset names) plus counts over every matching gap."""
    uow.require(Action.VIEW)
    flow = uow.flow(flow_id)
    filters = parse_input(GapFilters, filters or {})
    limit = parse_int(limit, "limit", minimum=1, maximum=MAX_GAP_PAGE)
    offset = parse_int(offset, "offset", minimum=0, maximum=10**9)
    repository = GapListingRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)
    counts = repository.facet_counts(flow.id, filters)
    total = sum(counts["resolution_status"].values())
    return GapPage(
        filters=filters,
        rows=repository.page(flow.id, filters, limit, offset),
        total=total,
        flow_total=total if filters == GapFilters() else repository.count_all(flow.id),
        counts=counts,
    )


def selectable_gaps(
    uow: UnitOfWork,
    flow_id: str,
    filters: GapFilters | Mapping[str, Any],
    *,
    limit: int = 200,
) -> dict[str, dict[str, Any]]:
    """The first `limit` matching gaps, by gap id, as a gap job takes them ("select all matching")."""
    rows = page_gaps(uow, flow_id, filters, limit=limit).rows
    return {gap_key(row): selection_entry(row) for row in rows}


def selection_entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "field_name": row["field_name"],
        "gap_type": row["gap_type"],
        "asset_id": str(row["asset_id"]),
        "asset_name": row["asset_name"],
    }


def gap_key(row: dict[str, Any]) -> str:
    return str(row["id"])
