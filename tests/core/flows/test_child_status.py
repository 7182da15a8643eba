"""get_child_status: the seed's view of one flow, within the caller's engagement only."""

import uuid

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest
from db.models import Engagement


@pytest.fixture
def flow_id(db, tenant) -> str:
    return MasterFlowOrchestrator(db, tenant).create_flow(
        flow_name="Wave 1 servers",
        configuration={"automation_tier": "tier_3", "gap_threshold": 5},
    )


def test_the_status_of_a_flow_is_what_the_seed_reports(db, tenant, flow_id):
    status = CollectionChildFlowService(db, tenant).get_child_status(flow_id)
    assert status == {
        "status": "paused",
        "current_phase": "asset_selection",
        "progress_percentage": 10.0,
        "automation_tier": "tier_3",
        "collection_config": {"gap_threshold": 5},
        "phase_state": {},
    }


def test_the_status_follows_the_phase_the_flow_moved_to(db, tenant, flow_id, make_assets):
    assets = make_assets(tenant, 2)
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    status = service.get_child_status(flow_id)
    assert status["current_phase"] == "gap_analysis"
    assert status["status"] == "running"
    assert status["collection_config"]["selected_asset_ids"] == [str(a.id) for a in assets]
    assert status["phase_state"]["asset_selection"]["selected"] == 2


def test_an_unknown_flow_has_no_status(db, tenant):
    assert CollectionChildFlowService(db, tenant).get_child_status(str(uuid.uuid4())) is None


def test_another_clients_flow_has_no_status(db, flow_id, make_tenant):
    other_client = make_tenant()
    assert CollectionChildFlowService(db, other_client).get_child_status(flow_id) is None


def test_another_engagements_flow_of_the_same_client_has_no_status(
    db, tenant, flow_id, make_member
):
    engagement = Engagement(client_account_id=tenant.client_account_id, name="Wave 2")
    db.add(engagement)
    db.commit()
    member = make_member(RequestContext(tenant.client_account_id, engagement.id))
    assert CollectionChildFlowService(db, member).get_child_status(flow_id) is None


def test_a_malformed_flow_id_is_a_bad_request_naming_the_field(db, tenant):
    with pytest.raises(BadRequest) as raised:
        CollectionChildFlowService(db, tenant).get_child_status("not-a-uuid")
    assert raised.value.field == "flow_id"
