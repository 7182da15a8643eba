"""The gap agent: explainable predictions from peers, one persistent agent per tenant."""

import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from core.enhancement.agents import (
    AGENT_NAME,
    GapAnalysisSpecialist,
    TenantScopedAgentPool,
    predict_from_peers,
)
from core.enhancement.job_state import JobState, JobStatus
from core.enhancement.selection import SelectedGap
from core.enhancement.sql_job_store import SqlJobStore
from core.enhancement.worker import run_gap_enhancement_job
from core.gaps.store import clamp_confidence, upsert_gap
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionDataGap


def test_no_peer_evidence_means_no_prediction_and_no_confidence():
    assert predict_from_peers(Counter()) == (None, None, {"peers_with_value": 0})


def test_the_majority_of_peers_predicts_with_confidence_growing_with_evidence():
    few, few_confidence, _ = predict_from_peers(Counter({"Linux": 2}))
    many, many_confidence, evidence = predict_from_peers(Counter({"Linux": 40, "Windows": 10}))
    assert few == many == "Linux"
    assert 0 < few_confidence < many_confidence <= 1
    assert evidence["agreeing_peers"] == 40
    assert evidence["alternatives"] == [["Windows", 10]]


def test_confidence_is_clamped_and_zero_stays_zero():
    assert clamp_confidence(1.7) == 1.0
    assert clamp_confidence(-0.2) == 0.0
    assert clamp_confidence(0) == 0.0
    assert clamp_confidence(None) is None


def test_a_zero_confidence_is_stored_as_zero_not_as_missing(db, tenant, make_assets):
    from core.flows.child_flow_service import CollectionChildFlowService
    from core.flows.orchestrator import MasterFlowOrchestrator

    asset = make_assets(tenant, 1)[0]
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Zero")
    child = CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id)
    upsert_gap(
        db,
        child.id,
        "business_owner",
        "missing",
        asset.id,
        {"gap_category": "business", "priority": 1, "confidence_score": 0},
    )
    db.commit()
    assert db.scalar(select(CollectionDataGap.confidence_score)) == 0.0


def test_the_pool_keeps_one_agent_per_tenant_and_type():
    client, engagement = str(uuid.uuid4()), str(uuid.uuid4())
    first = TenantScopedAgentPool.get_or_create_agent(client, engagement, AGENT_NAME)
    again = TenantScopedAgentPool.get_or_create_agent(client, engagement, AGENT_NAME)
    other = TenantScopedAgentPool.get_or_create_agent(client, str(uuid.uuid4()), AGENT_NAME)
    assert first is again and first is not other
    assert isinstance(first, GapAnalysisSpecialist)


def test_the_agent_predicts_from_peers_of_the_same_engagement_and_type(
    db, make_tenant, make_assets, uow_of
):
    mine, theirs = make_tenant(), make_tenant()
    make_assets(mine, 3, business_owner="Noor Haddad")
    make_assets(mine, 1, business_owner="Tom Becker")
    make_assets(theirs, 9, business_owner="Somebody Else")
    make_assets(
        mine, 5, asset_type="application", business_owner="App Owner", technology_stack="Java"
    )
    gap_asset = make_assets(mine, 1, business_owner=None)[0]
    agent = GapAnalysisSpecialist(mine.client_account_id, mine.engagement_id)

    gap = SelectedGap(field_name="business_owner", gap_type="missing", asset_id=gap_asset.id)
    with uow_of(mine) as uow:
        enhanced = agent.enhance_gap(uow, gap)

    assert enhanced["predicted_value"] == "Noor Haddad"
    assert enhanced["ai_suggestions"]["peers_with_value"] == 4
    assert enhanced["priority"] == 1 and enhanced["impact_on_sixr"] == "high"
    assert "Confirm Noor Haddad" in enhanced["suggested_resolution"]


def test_a_job_fails_with_a_clear_error_when_the_database_is_gone(engine):
    unreachable = create_engine(
        "postgresql+psycopg://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 2}
    )
    store = SqlJobStore(engine)
    flow = str(uuid.uuid4())
    store.claim(flow, JobState("j1", JobStatus.QUEUED, total=1), (), stall_seconds=60)
    final = run_gap_enhancement_job(
        lambda: Session(unreachable),
        store,
        client_account_id=str(uuid.uuid4()),
        engagement_id=str(uuid.uuid4()),
        collection_flow_id=flow,
        flow_id=flow,
        selected_gaps=[
            {"field_name": "business_owner", "gap_type": "missing", "asset_id": str(uuid.uuid4())}
        ],
        job_id="j1",
    )
    assert final.status is JobStatus.FAILED
    assert final.errors[-1].startswith("The database is unreachable")
    assert store.get(flow).status is JobStatus.FAILED
    store.delete(flow)


def test_an_agent_reads_through_its_own_tenant_only(db, make_tenant, make_assets):
    mine, theirs = make_tenant(), make_tenant()
    asset = make_assets(theirs, 1)[0]
    agent = GapAnalysisSpecialist(mine.client_account_id, mine.engagement_id)
    gap = SelectedGap(field_name="business_owner", gap_type="missing", asset_id=asset.id)
    with pytest.raises(ValueError, match="another tenant"), engagement_uow(theirs, db) as uow:
        agent.enhance_gap(uow, gap)
