"""The Gaps page's read at (small) size: pages by key cover every matching gap once, in the
page's order, and the counts add up to what the pages hold."""

from collections import Counter

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import GapKey, page_gaps
from core.kernel.errors import BadRequest

# Assets lacking different things, so gaps differ in priority, category and type per asset.
HOLES = (
    {"operating_system": None, "business_owner": "TBD"},
    {"environment": None, "cpu_cores": None},
    {"business_owner": "TBD", "environment": None, "memory_gb": None},
)
FILTERS = (
    {},
    {"priorities": [1]},
    {"gap_types": ["invalid"], "statuses": ["pending"]},
    {"asset_name_contains": "-1"},
    {"categories": ["infrastructure"], "asset_name_contains": "server"},
)


@pytest.fixture
def flow_of_many(db, make_tenant, make_assets):
    ctx = make_tenant()
    assets = [asset for holes in HOLES for asset in make_assets(ctx, 9, **holes)]
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Estate")
    service = CollectionChildFlowService(db, ctx)
    selected = [str(asset.id) for asset in assets]
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": selected})
    service.execute_phase(flow_id, "gap_analysis")
    return ctx, flow_id


def every_page(uow, flow_id, filters, limit):
    pages = [page_gaps(uow, flow_id, filters, limit=limit)]
    while pages[-1].next_after is not None:
        pages.append(page_gaps(uow, flow_id, filters, limit=limit, after=pages[-1].next_after))
    return pages


@pytest.mark.parametrize("filters", FILTERS)
def test_pages_by_key_hold_every_matching_gap_once_in_order(uow_of, flow_of_many, filters):
    ctx, flow_id = flow_of_many
    with uow_of(ctx) as uow:
        everything = page_gaps(uow, flow_id, filters, limit=1000)
        pages = every_page(uow, flow_id, filters, limit=7)
    rows = [row for page in pages for row in page.rows]
    expected = sorted(
        everything.rows,
        key=lambda row: (row["asset_name"], row["priority"], row["field_name"], str(row["id"])),
    )
    assert [row["id"] for row in rows] == [row["id"] for row in expected]
    assert len(rows) == everything.total > 0
    # Each page's counts are the same, over every matching gap, and add up to the rows.
    for page in pages:
        assert page.total == everything.total
        assert page.counts == everything.counts
        for counted in page.counts.values():
            assert sum(counted.values()) == page.total
    assert everything.counts["priority"] == {
        str(key): value for key, value in sorted(Counter(row["priority"] for row in rows).items())
    }
    assert everything.counts["gap_type"] == dict(
        sorted(Counter(row["gap_type"] for row in rows).items())
    )


def test_a_page_by_key_is_the_page_by_offset(uow_of, flow_of_many):
    ctx, flow_id = flow_of_many
    with uow_of(ctx) as uow:
        first = page_gaps(uow, flow_id, limit=10)
        by_key = page_gaps(uow, flow_id, limit=10, after=first.next_after)
        by_offset = page_gaps(uow, flow_id, limit=10, offset=10)
        skipping = page_gaps(uow, flow_id, limit=10, after=first.next_after, offset=10)
        third = page_gaps(uow, flow_id, limit=10, offset=20)
    assert [row["id"] for row in by_key.rows] == [row["id"] for row in by_offset.rows]
    assert [row["id"] for row in skipping.rows] == [row["id"] for row in third.rows]


def test_the_flow_total_counts_every_gap_whatever_the_filters(uow_of, flow_of_many):
    ctx, flow_id = flow_of_many
    with uow_of(ctx) as uow:
        everything = page_gaps(uow, flow_id)
        totals = {repr(f): page_gaps(uow, flow_id, f).flow_total for f in FILTERS}
        nothing = page_gaps(uow, flow_id, {"asset_name_contains": "no such asset"})
    assert set(totals.values()) == {everything.total}
    assert nothing.total == 0 and nothing.rows == [] and nothing.next_after is None
    assert nothing.flow_total == everything.total


def test_a_last_page_that_is_not_full_has_no_next_key(uow_of, flow_of_many):
    ctx, flow_id = flow_of_many
    with uow_of(ctx) as uow:
        whole = page_gaps(uow, flow_id, limit=1000)
    assert whole.next_after is None


def test_after_must_be_a_row_key(uow_of, flow_of_many):
    ctx, flow_id = flow_of_many
    with pytest.raises(BadRequest, match="after"), uow_of(ctx) as uow:
        page_gaps(uow, flow_id, after="server-1")  # type: ignore[arg-type]
    with uow_of(ctx) as uow:
        assert isinstance(page_gaps(uow, flow_id, limit=3).next_after, GapKey)
