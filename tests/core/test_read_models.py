"""The dashboard's read models: gap paging and counts, asset picking, overview, stuck flows."""

import time
from datetime import timedelta

import pytest

from core.enhancement.job_state import JobState, JobStatus
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.health import STUCK_AFTER, is_stuck
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.overview import flow_summaries, gap_mix, resolution_times
from core.flows.reads import list_questionnaires
from core.gaps.listing import page_gaps, selectable_gaps
from core.inventory.listing import AssetFilters, matching_asset_ids, page_assets
from core.kernel.edge import parse_input
from core.kernel.errors import BadRequest, NotFound
from core.questionnaires.answers import list_answers, save_answers
from db.types import utcnow
from tests.factories import in_uow

HOLES = {"operating_system": None, "business_owner": "TBD", "environment": None}


def flow_with_gaps(db, ctx, assets) -> str:
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Wave")
    service = CollectionChildFlowService(db, ctx)
    ids = [str(asset.id) for asset in assets]
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": ids})
    service.execute_phase(flow_id, "gap_analysis")
    return flow_id


def test_gap_pages_filter_count_and_stay_in_the_tenant(db, uow_of, make_tenant, make_assets):
    ctx, other = make_tenant(), make_tenant()
    assets = make_assets(ctx, 4, **HOLES)
    flow_id = flow_with_gaps(db, ctx, assets)
    with uow_of(ctx) as uow:
        everything = page_gaps(uow, flow_id)
        assert everything.total == everything.flow_total == 12  # 3 holes x 4 assets
        assert {row["asset_name"] for row in everything.rows} == {asset.name for asset in assets}
        first, second = (page_gaps(uow, flow_id, limit=5, offset=o) for o in (0, 5))
        assert len(first.rows) == 5 and first.total == 12
        assert not {row["id"] for row in first.rows} & {row["id"] for row in second.rows}
        invalid = page_gaps(uow, flow_id, {"gap_types": ["invalid"]})
        assert invalid.total == 4
        assert {row["field_name"] for row in invalid.rows} == {"business_owner"}
        one_asset = page_gaps(uow, flow_id, {"asset_name_contains": assets[0].name.upper()})
        assert one_asset.total == 3
        assert sum(everything.counts["gap_category"].values()) == 12
    with pytest.raises(NotFound), uow_of(other) as uow:
        page_gaps(uow, flow_id)
    with pytest.raises(BadRequest, match="Priorities") as raised, uow_of(ctx) as uow:
        page_gaps(uow, flow_id, {"priorities": [5]})
    assert raised.value.field == "priorities.0"
    with pytest.raises(BadRequest, match="limit"), uow_of(ctx) as uow:
        page_gaps(uow, flow_id, limit=5000)


def test_select_all_matching_is_capped_and_carries_what_a_job_needs(
    db, uow_of, tenant, make_assets
):
    flow_id = flow_with_gaps(db, tenant, make_assets(tenant, 4, **HOLES))
    with uow_of(tenant) as uow:
        selection = selectable_gaps(uow, flow_id, {}, limit=5)
    assert len(selection) == 5
    entry = next(iter(selection.values()))
    assert set(entry) == {"field_name", "gap_type", "asset_id", "asset_name"}


def test_asset_picker_filters_and_selects_all_matching(db, make_tenant, make_assets):
    ctx, other = make_tenant(), make_tenant()
    make_assets(ctx, 3, environment="production")
    make_assets(ctx, 2, asset_type="database", environment="test")
    make_assets(other, 2)
    page = in_uow(db, ctx, page_assets, {"environments": ["test"]})
    assert page.total == 2 and {row["asset_type"] for row in page.rows} == {"database"}
    assert page.environments == ["production", "test"]
    servers = parse_input(AssetFilters, {"asset_types": ["server"]})
    assert len(in_uow(db, ctx, matching_asset_ids, servers)) == 3
    with pytest.raises(BadRequest) as raised:
        parse_input(AssetFilters, {"asset_types": ["mainframe"]})
    assert raised.value.field == "asset_types.0"
    assert raised.value.message.startswith("Asset types (item 1) must be one of 'server'")
    with pytest.raises(BadRequest) as raised:
        in_uow(db, ctx, page_assets, {"name_contains": "x" * 201})
    assert raised.value.message == "Asset name contains is longer than 200 characters"


def test_overview_counts_flows_gaps_and_resolutions(db, uow_of, make_tenant, make_assets):
    ctx, other = make_tenant(), make_tenant()
    flow_id = flow_with_gaps(db, ctx, make_assets(ctx, 2, **HOLES))
    MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Empty")
    MasterFlowOrchestrator(db, other).create_flow(flow_name="Elsewhere")
    with uow_of(ctx) as uow:
        summaries = {row["flow_name"]: row for row in flow_summaries(uow)}
        assert set(summaries) == {"Wave", "Empty"}
        assert summaries["Wave"]["gaps"] == 6 and summaries["Wave"]["completeness"] == 0
        assert summaries["Empty"]["completeness"] is None
        assert sum(row["gaps"] for row in gap_mix(uow)) == 6
        assert resolution_times(uow) == []
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "questionnaire_generation")
    with uow_of(ctx) as uow:
        questionnaire = list_questionnaires(uow, flow_id)[0]
        question = next(q for q in questionnaire.questions if q["field_name"] == "operating_system")
        save_answers(uow, flow_id, str(questionnaire.id), {question["id"]: "Linux"})
    with uow_of(ctx) as uow:
        answers = list_answers(uow, flow_id)
    assert answers[str(questionnaire.id)][question["id"]]["answer"] == "Linux"
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    with uow_of(ctx) as uow:
        [resolved_at] = resolution_times(uow)
    assert utcnow() - resolved_at < timedelta(minutes=5)
    with uow_of(other) as uow:
        assert resolution_times(uow) == []


def test_a_running_flow_without_a_live_job_and_no_update_is_stuck():
    now = utcnow()
    old = now - STUCK_AFTER - timedelta(seconds=1)
    running = JobState("job", JobStatus.RUNNING, total=3, heartbeat_at=time.time() - 30)
    stalled, live = running.progress(time.time(), 10), running.progress(time.time(), 60)
    scanning = "gap_analysis"  # the system's work: a scan or an enhancement job
    assert is_stuck("running", old, False, now, phase=scanning)
    assert is_stuck("running", old, stalled.is_live, now, phase=scanning)
    assert not is_stuck("running", old, live.is_live, now, phase=scanning)
    assert not is_stuck("running", now, False, now, phase=scanning)
    assert not is_stuck("paused", old, False, now, phase="manual_collection")
