"""The Gaps page's read model: one page of a flow's gaps, filtered and counted on the server."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, tuple_

from core.gaps.filters import GapFilters
from core.kernel.edge import parse_input
from core.kernel.errors import BadRequest
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
class GapKey:
    """Where a row stands in the page's order: the next page starts after the last one's key."""

    asset_name: str
    priority: int
    field_name: str
    gap_id: uuid.UUID


@dataclass(frozen=True)
class GapPage:
    filters: GapFilters  # as parsed: what the page's table is keyed on
    rows: list[dict[str, Any]]
    total: int  # gaps matching the filters, over all pages
    flow_total: int  # gaps of the flow, unfiltered
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per facet, matching gaps
    next_after: GapKey | None = None  # the key to ask the next page after; None when not full


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
        self,
        collection_flow_id: uuid.UUID,
        filters: GapFilters,
        limit: int,
        offset: int = 0,
        after: GapKey | None = None,
    ) -> list[dict[str, Any]]:
        """Gaps in (asset name, priority, attribute, id) order: the database walks the assets by
        name (uq_assets_name) and each one's gaps (ix_gaps_flow_asset) and stops after `limit`,
        so a page after a key costs the same on the first page or the thousandth."""
        columns = [getattr(CollectionDataGap, name) for name in GAP_COLUMNS]
        order = (Asset.name, CollectionDataGap.priority, CollectionDataGap.field_name)
        query = (
            self._filtered(collection_flow_id, filters)
            .with_only_columns(*columns, Asset.name.label("asset_name"), Asset.asset_type)
            .where(Asset.client_account_id == self.client_account_id)
            .where(Asset.engagement_id == self.engagement_id)
            .order_by(*order, CollectionDataGap.id)
            .limit(limit)
            .offset(offset)
        )
        if after is not None:
            # The first column alone as well, so the walk of the assets starts at that name.
            query = query.where(
                and_(
                    Asset.name >= after.asset_name,
                    tuple_(*order, CollectionDataGap.id)
                    > tuple_(after.asset_name, after.priority, after.field_name, after.gap_id),
                )
            )
        rows = [dict(row._mapping) for row in self.db.execute(query)]
        for row in rows:  # the table shows why a value is predicted, not the whole evidence
            row["evidence"] = (row.pop("ai_suggestions") or {}).get("evidence")
        return rows

    def facet_groups(
        self, collection_flow_id: uuid.UUID, asset_name_contains: str
    ) -> list[tuple[tuple[Any, ...], int]]:
        """(category, priority, type, status) -> gaps of the assets whose name holds the text
        (the flow's own counts are kept with its gaps: GapCountRepository)."""
        query = self._filtered(
            collection_flow_id, GapFilters(asset_name_contains=asset_name_contains)
        )
        columns = [getattr(CollectionDataGap, facet) for facet in FACETS]
        grouped = query.with_only_columns(*columns, func.count()).group_by(*columns)
        return [(tuple(values), count) for *values, count in self.db.execute(grouped)]


def _facet_filter(filters: GapFilters) -> dict[str, set[str]]:
    """The facet filters as sets of the values each facet keeps (as strings); empty ones left out."""
    chosen = {
        "gap_category": filters.categories,
        "priority": filters.priorities,
        "gap_type": filters.gap_types,
        "resolution_status": filters.statuses,
    }
    return {facet: {str(value) for value in values} for facet, values in chosen.items() if values}


def count_groups(
    groups: list[tuple[tuple[Any, ...], int]], filters: GapFilters
) -> tuple[int, dict[str, dict[str, int]]]:
    """(matching gaps, per facet counts of the matching gaps) from the grouped counts."""
    kept = _facet_filter(filters)
    totals: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    matching = 0
    for values, count in groups:
        shown = dict(zip(FACETS, (str(value) for value in values), strict=True))
        if any(shown[facet] not in allowed for facet, allowed in kept.items()):
            continue
        matching += count
        for facet, value in shown.items():
            totals[facet][value] = totals[facet].get(value, 0) + count
    return matching, {facet: dict(sorted(found.items())) for facet, found in totals.items()}


def page_gaps(
    uow: UnitOfWork,
    flow_id: str,
    filters: GapFilters | Mapping[str, Any] | None = None,
    *,
    limit: int = 500,
    offset: int = 0,
    after: GapKey | None = None,
) -> GapPage:
    """One page of the flow's gaps (with asset names) plus counts over every matching gap.

    `after`: the previous page's `next_after`, to read the next page by key (as cheap deep in
    the flow as at its start); `offset` counts rows from there.
    """
    uow.require(Action.VIEW)
    collection_flow_id = uow.collection_flow_id(flow_id)
    filters = parse_input(GapFilters, filters or {})
    limit = parse_int(limit, "limit", minimum=1, maximum=MAX_GAP_PAGE)
    offset = parse_int(offset, "offset", minimum=0, maximum=10**9)
    if after is not None and not isinstance(after, GapKey):
        raise BadRequest("after must be the key of a row of the previous page", field="after")
    repository = GapListingRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)
    # The counts kept with the gaps give the flow's total and every facet filter's counts
    # (a few dozen rows, however many gaps); only a name filter counts the gaps it names.
    flow_groups = [
        (group[1:], count) for group, count in uow.gap_counts.flow_groups(collection_flow_id)
    ]
    flow_total = sum(count for _, count in flow_groups)
    if filters.asset_name_contains:
        groups = repository.facet_groups(collection_flow_id, filters.asset_name_contains)
    else:
        groups = flow_groups
    total, counts = count_groups(groups, filters)
    rows = repository.page(collection_flow_id, filters, limit, offset, after) if total else []
    last = rows[-1] if len(rows) == limit else None
    return GapPage(
        filters=filters,
        rows=rows,
        total=total,
        flow_total=flow_total,
        counts=counts,
        next_after=None
        if last is None
        else GapKey(last["asset_name"], last["priority"], last["field_name"], last["id"]),
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
