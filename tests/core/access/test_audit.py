"""The audit trail: operator actions land as events; admins list them per tenant and flow."""

from datetime import UTC, datetime, timedelta

import pytest

from core.access import audit
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Forbidden
from db.models import AuditEvent
from tests.factories import in_uow


def listed(db, ctx, **filters) -> list[AuditEvent]:
    return in_uow(db, ctx, audit.list_events, **filters)


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
    events = listed(db, admin)
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
    by_flow = listed(db, admin, flow_id=first)
    assert by_flow and {str(e.flow_id) for e in by_flow} == {first}
    assert [e.action for e in listed(db, admin, action="flow_resumed")] == ["flow_resumed"]
    assert {e.action for e in listed(db, admin, actions=["flow_created"])} == {"flow_created"}
    mine = listed(db, admin, user_id=str(analyst.user_id))
    assert mine and {e.user_id for e in mine} == {analyst.user_id}
    now = datetime.now(UTC)
    assert len(listed(db, admin, since=now - timedelta(minutes=5))) == len(listed(db, admin))
    assert listed(db, admin, since=now + timedelta(seconds=1)) == []
    assert listed(db, admin, until=now - timedelta(minutes=5)) == []
    page = listed(db, admin, limit=2, offset=1)
    assert [e.id for e in page] == [e.id for e in listed(db, admin)][1:3]


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
        listed(db, admin, **filters)
    assert raised.value.field == field


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_only_admins_read_the_trail(db, tenant, role):
    ctx = RequestContext(tenant.client_account_id, tenant.engagement_id, role=role)
    with pytest.raises(Forbidden):
        listed(db, ctx)


def test_an_event_recorded_in_a_unit_of_work_lands_with_its_work(db, uow_of, tenant):
    with pytest.raises(RuntimeError), uow_of(tenant) as uow:
        audit.record(uow, "flow_exported", what="gaps")
        raise RuntimeError("the change fails: no event either")
    with uow_of(tenant) as uow:
        audit.record(uow, "flow_exported", what="assets")
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    [event] = listed(db, admin)
    assert (event.action, event.details, event.user_id) == (
        "flow_exported",
        {"what": "assets"},
        tenant.user_id,
    )
    assert (event.client_account_id, event.engagement_id) == (
        tenant.client_account_id,
        tenant.engagement_id,
    )


def test_filters_are_named_in_peoples_words(db, tenant):
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    with pytest.raises(BadRequest) as raised:
        listed(db, admin, limit=5000)
    assert raised.value.message == "Number of events must be at most 1000"
    with pytest.raises(BadRequest) as raised:
        listed(db, admin, since=datetime(2030, 1, 1))
    assert raised.value.message == "Since must carry a time zone"
