"""The audit trail: operator actions land as events; admins list them per tenant and flow."""

from datetime import UTC, datetime, timedelta

import pytest

from core.access import audit
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Forbidden


@pytest.fixture
def trail(db, make_tenant, make_member, make_assets):
    admin = make_tenant(role="admin")
    analyst = make_member(admin, "analyst")
    assets = make_assets(admin, 2)
    first = MasterFlowOrchestrator(db, analyst).create_flow(flow_name="First")
    CollectionChildFlowService(db, analyst).execute_phase(
        first, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    second = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Second")
    MasterFlowOrchestrator(db, admin).resume_flow(second)
    other = make_tenant(role="admin")
    MasterFlowOrchestrator(db, other).create_flow(flow_name="Elsewhere")
    return admin, analyst, first, second


def test_operator_actions_are_events_of_their_tenant(db, trail):
    admin, analyst, first, second = trail
    events = audit.list_events(db, admin)
    assert [(e.action, str(e.flow_id)) for e in events if e.action != "phase_transition"] == [
        ("flow_resumed", second),
        ("flow_created", second),
        ("assets_selected", first),
        ("flow_created", first),
    ]
    assert {(e.client_account_id, e.engagement_id) for e in events} == {
        (admin.client_account_id, admin.engagement_id)
    }
    created = next(e for e in events if e.action == "flow_created" and str(e.flow_id) == first)
    assert created.user_id == analyst.user_id
    assert created.details == {"flow_name": "First", "automation_tier": "tier_2"}
    assert all(e.occurred_at.tzinfo is not None for e in events)


def test_filters_by_flow_action_user_and_time(db, trail):
    admin, analyst, first, second = trail
    by_flow = audit.list_events(db, admin, flow_id=first)
    assert by_flow and {str(e.flow_id) for e in by_flow} == {first}
    assert [e.action for e in audit.list_events(db, admin, action="flow_resumed")] == [
        "flow_resumed"
    ]
    assert {e.action for e in audit.list_events(db, admin, actions=["flow_created"])} == {
        "flow_created"
    }
    mine = audit.list_events(db, admin, user_id=str(analyst.user_id))
    assert mine and {e.user_id for e in mine} == {analyst.user_id}
    now = datetime.now(UTC)
    assert len(audit.list_events(db, admin, since=now - timedelta(minutes=5))) == len(
        audit.list_events(db, admin)
    )
    assert audit.list_events(db, admin, since=now + timedelta(seconds=1)) == []
    assert audit.list_events(db, admin, until=now - timedelta(minutes=5)) == []
    page = audit.list_events(db, admin, limit=2, offset=1)
    assert [e.id for e in page] == [e.id for e in audit.list_events(db, admin)][1:3]
    assert "flow_resumed" in audit.list_actions(db, admin)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"flow_id": "nope"}, "flow_id"),
        ({"user_id": 42}, "user_id"),
        ({"since": datetime(2030, 1, 1)}, "since"),  # no time zone
        ({"until": "yesterday"}, "until"),
        (
            {"since": datetime(2030, 1, 2, tzinfo=UTC), "until": datetime(2030, 1, 1, tzinfo=UTC)},
            "since",
        ),
        ({"limit": 0}, "limit"),
        ({"limit": 10_000}, "limit"),
        ({"offset": -1}, "offset"),
        ({"actions": "flow_created"}, "actions"),
        ({"action": "x" * 61}, "action"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(db, tenant, filters, field):
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    with pytest.raises(BadRequest) as raised:
        audit.list_events(db, admin, **filters)
    assert raised.value.field == field


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_only_admins_read_the_trail(db, tenant, role):
    ctx = RequestContext(tenant.client_account_id, tenant.engagement_id, role=role)
    with pytest.raises(Forbidden):
        audit.list_events(db, ctx)
    with pytest.raises(Forbidden):
        audit.list_actions(db, ctx)
