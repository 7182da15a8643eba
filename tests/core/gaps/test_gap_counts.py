"""The counts kept with the gaps (migration 0011's triggers) equal a count of the gaps after every
kind of write: a scan, a rescan, an enhancement, answers and their validation, skipping, a
deleted asset, a deleted flow."""

import uuid

import pytest
from sqlalchemy import delete, func, select

from core.flows import overview
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps
from core.gaps.scan import scan_flow_gaps
from core.gaps.store import upsert_gap
from core.questionnaires.generation import list_for_flow, store_answers
from db.models import Asset, CollectionDataGap, CollectionFlow, GapCount, MasterFlow

pytestmark = pytest.mark.both_backends

GROUP = ("field_name", "gap_category", "priority", "gap_type", "resolution_status")


def counted(db, collection_flow_id) -> dict[tuple, int]:
    """The flow's gaps counted afresh, per group."""
    columns = [getattr(CollectionDataGap, name) for name in GROUP]
    query = (
        select(*columns, func.count())
        .where(CollectionDataGap.collection_flow_id == collection_flow_id)
        .group_by(*columns)
    )
    return {tuple(values): count for *values, count in db.execute(query)}


def kept(uow, collection_flow_id) -> dict[tuple, int]:
    return dict(uow.gap_counts.flow_groups(collection_flow_id))


def assert_counts_hold(db, uow_of, ctx, flow_id) -> uuid.UUID:
    with uow_of(ctx) as uow:
        flow = uow.flow(flow_id)
        assert kept(uow, flow.id) == counted(db, flow.id)
        page = page_gaps(uow, flow_id, limit=1)
        assert page.flow_total == sum(counted(db, flow.id).values())
        pending = uow.gaps.count_pending(flow.id)
        [summary] = overview.flow_summaries(uow)
        by_attribute = overview.pending_gaps_by_attribute(uow)
        mix = overview.gap_mix(uow)
    fresh = counted(db, flow.id)
    of_status = {
        status: sum(n for key, n in fresh.items() if key[-1] == status)
        for status in ("pending", "resolved")
    }
    assert pending == of_status["pending"]
    assert (summary["gaps"], summary["resolved"], summary["pending"]) == (
        sum(fresh.values()),
        of_status["resolved"],
        of_status["pending"],
    )
    assert sum(row["gaps"] for row in by_attribute) == of_status["pending"]
    assert sum(row["gaps"] for row in mix) == sum(fresh.values())
    return flow.id


@pytest.fixture
def scanned(db, uow_of, tenant, make_assets):
    assets = make_assets(tenant, 3, business_owner=None, cpu_cores=0, environment="TBD")
    assets += make_assets(tenant, 2, operating_system=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Counted")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    return flow_id, assets


def test_the_counts_add_up_through_a_flows_life(db, uow_of, tenant, scanned):
    flow_id, assets = scanned
    service = CollectionChildFlowService(db, tenant)
    collection_flow_id = assert_counts_hold(db, uow_of, tenant, flow_id)
    assert sum(counted(db, collection_flow_id).values()) == 11
    # A scan folds its changes: one row per group.
    rows = db.scalar(select(func.count()).where(GapCount.collection_flow_id == collection_flow_id))
    assert rows == len(counted(db, collection_flow_id))

    # A rescan of the same assets writes the same gaps again: the counts do not move.
    with uow_of(tenant) as uow:
        scan_flow_gaps(uow, uow.flow(flow_id))
    assert_counts_hold(db, uow_of, tenant, flow_id)

    # An enhancement that changes a gap's priority moves it from one group to another.
    gap = db.scalars(
        select(CollectionDataGap).where(CollectionDataGap.collection_flow_id == collection_flow_id)
    ).first()
    upsert_gap(
        db,
        collection_flow_id,
        gap.field_name,
        gap.gap_type,
        gap.asset_id,
        {
            "gap_category": gap.gap_category,
            "priority": 4 if gap.priority != 4 else 3,
            "predicted_value": "x",
        },
    )
    db.commit()
    assert_counts_hold(db, uow_of, tenant, flow_id)

    # Answers to some questions, validated: the answered gaps resolve, the flow goes back for
    # the critical ones left; then every answer, and the rest is skipped.
    service.execute_phase(flow_id, "questionnaire_generation")
    answer(db, uow_of, tenant, flow_id, only=assets[0].id)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    report = service.execute_phase(flow_id, "data_validation")
    assert report["resolved"] > 0
    assert_counts_hold(db, uow_of, tenant, flow_id)
    answer(db, uow_of, tenant, flow_id)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    assert_counts_hold(db, uow_of, tenant, flow_id)
    statuses = {key[-1] for key in counted(db, collection_flow_id)}
    assert "pending" not in statuses

    # A deleted asset takes its gaps, and their counts, with it.
    db.execute(delete(Asset).where(Asset.id == assets[-1].id))
    db.commit()
    assert_counts_hold(db, uow_of, tenant, flow_id)
    with uow_of(tenant) as uow:
        uow.gap_counts.fold(collection_flow_id)
    assert_counts_hold(db, uow_of, tenant, flow_id)


def test_a_deleted_flow_leaves_no_counts(db, uow_of, tenant, scanned):
    flow_id, _assets = scanned
    collection_flow_id = db.scalar(
        select(CollectionFlow.id).where(CollectionFlow.flow_id == uuid.UUID(flow_id))
    )
    db.execute(delete(MasterFlow).where(MasterFlow.flow_id == uuid.UUID(flow_id)))
    db.commit()
    gaps_left = select(func.count()).where(
        CollectionDataGap.collection_flow_id == collection_flow_id
    )
    assert db.scalar(gaps_left) == 0
    left = db.scalar(select(func.count()).where(GapCount.collection_flow_id == collection_flow_id))
    assert left == 0


def answer(db, uow_of, ctx, flow_id, only=None):
    """A valid answer to every question (of one asset's questionnaire, with `only`)."""
    with uow_of(ctx) as uow:
        flow = uow.flow(flow_id)
        for questionnaire in list_for_flow(uow, flow):
            if only is not None and questionnaire.asset_id != only:
                continue
            answers = {q["id"]: valid_answer(q) for q in questionnaire.questions}
            store_answers(uow, flow, questionnaire.id, answers, ctx.user_id)


def valid_answer(question):
    if question["type"] == "select":
        return question["options"][0]
    if question["type"] == "number":
        return int(question["minimum"]) + 1
    return "2030-01-01" if question["field_name"] == "end_of_support_date" else "Alex Kim"
