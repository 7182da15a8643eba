"""A flow of another client account or engagement is "not found" for every operation."""

import uuid

import pytest

from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, NotFound
from core.questionnaires.answers import save_answers
from db.models import Engagement
from tests.factories import in_uow

pytestmark = pytest.mark.both_backends


def operations(flow_id: str):
    questionnaire_id = str(uuid.uuid4())
    return {
        "execute_phase": lambda db, ctx: CollectionChildFlowService(db, ctx).execute_phase(
            flow_id, "asset_selection"
        ),
        "resume_flow": lambda db, ctx: MasterFlowOrchestrator(db, ctx).resume_flow(flow_id),
        "save_answers": lambda db, ctx: in_uow(
            db, ctx, save_answers, flow_id, questionnaire_id, {"a": 1}
        ),
        "get_flow": lambda db, ctx: in_uow(db, ctx, flows.get_flow, flow_id),
        "page_gaps": lambda db, ctx: in_uow(db, ctx, page_gaps, flow_id),
        "list_questionnaires": lambda db, ctx: in_uow(db, ctx, flows.list_questionnaires, flow_id),
    }


@pytest.fixture
def owner_flow(db, make_tenant):
    owner = make_tenant(role="admin")
    return owner, MasterFlowOrchestrator(db, owner).create_flow(flow_name="Private")


def other_engagement_of(db, ctx: RequestContext) -> RequestContext:
    engagement = Engagement(client_account_id=ctx.client_account_id, name="Wave 2")
    db.add(engagement)
    db.commit()
    return RequestContext(ctx.client_account_id, engagement.id, role="admin")


@pytest.mark.parametrize("operation", list(operations("x")))
def test_another_client_gets_404_for_every_operation(db, make_tenant, owner_flow, operation):
    _owner, flow_id = owner_flow
    stranger = make_tenant(role="admin")
    with pytest.raises(NotFound):
        operations(flow_id)[operation](db, stranger)


@pytest.mark.parametrize("operation", list(operations("x")))
def test_another_engagement_of_the_same_client_gets_404(db, owner_flow, operation):
    owner, flow_id = owner_flow
    with pytest.raises(NotFound):
        operations(flow_id)[operation](db, other_engagement_of(db, owner))


def test_a_foreign_flow_looked_up_by_its_master_flow_id_is_none(db, make_tenant, owner_flow):
    _owner, flow_id = owner_flow
    assert CollectionChildFlowService(db, make_tenant()).get_by_master_flow_id(flow_id) is None


def test_the_owner_still_sees_it(uow_of, owner_flow):
    owner, flow_id = owner_flow
    with uow_of(owner) as uow:
        assert flows.get_flow(uow, flow_id).flow_name == "Private"
        assert [flow.flow_name for flow in flows.list_flows(uow)] == ["Private"]


@pytest.mark.parametrize("operation", list(operations("x")))
def test_a_malformed_flow_id_is_a_400_naming_flow_id(db, tenant, operation):
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    with pytest.raises(BadRequest) as raised:
        operations("not-a-uuid")[operation](db, admin)
    assert raised.value.field == "flow_id"
