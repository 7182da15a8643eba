"""Clients & engagements: create, rename, archive (read-only, in no picker, nothing deleted)."""

import pytest
from sqlalchemy import select

from core.access import engagement_admin as admin_of
from core.access import tenants
from core.access.identity import list_engagements
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.reads import list_flows
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, Conflict, Forbidden, NotFound
from core.kernel.permissions import EngagementArchived
from db.models import ClientAccount, Engagement, Membership
from tests.factories import on_accounts


@pytest.fixture
def admin(make_tenant):
    return make_tenant(role="admin", name="Acme")


def run(uow_of, ctx, use_case, *args):
    with uow_of(ctx) as uow:
        return use_case(uow, *args)


def test_an_archived_engagement_is_read_only_hidden_and_restorable(db, uow_of, admin, make_member):
    pilot, created = run(uow_of, admin, admin_of.add_engagement, "Pilot")
    assert created and not run(uow_of, admin, admin_of.add_engagement, " Pilot ")[1]
    analyst = make_member(RequestContext(admin.client_account_id, pilot.id), "analyst")
    flow_id = MasterFlowOrchestrator(db, analyst).create_flow(flow_name="Before archiving")

    run(uow_of, admin, admin_of.set_archived, pilot.id, True)

    with pytest.raises(EngagementArchived) as refused:
        MasterFlowOrchestrator(db, analyst).create_flow(flow_name="After archiving")
    assert refused.value.status == 409
    with uow_of(analyst) as uow:  # reads still answer, and nothing was deleted
        assert [str(flow.flow_id) for flow in list_flows(uow)] == [str(flow_id)]
    picked = {
        choice.engagement_name for choice in on_accounts(db, list_engagements, analyst.user_id)
    }
    assert picked == set()
    _name, rows = run(uow_of, admin, admin_of.list_engagements)
    assert [(row.name, row.archived_at is not None) for row in rows] == [
        ("Pilot", True),
        ("Wave 1", False),
    ]

    listed = on_accounts(db, tenants.list_engagements, str(admin.client_account_id))
    assert {(row.name, row.archived) for row in listed} == {("Pilot", True), ("Wave 1", False)}

    run(uow_of, admin, admin_of.set_archived, pilot.id, False)
    assert MasterFlowOrchestrator(db, analyst).create_flow(flow_name="Restored")
    assert {c.engagement_name for c in on_accounts(db, list_engagements, analyst.user_id)} == {
        "Pilot"
    }


def test_renames_are_unique_per_client_and_the_current_engagement_stays_open(db, uow_of, admin):
    pilot, _ = run(uow_of, admin, admin_of.add_engagement, "Pilot")
    run(uow_of, admin, admin_of.rename_engagement, pilot.id, "Wave 2")
    with pytest.raises(Conflict, match="'Wave 1' already"):
        run(uow_of, admin, admin_of.rename_engagement, pilot.id, "Wave 1")
    with pytest.raises(BadRequest, match="Engagement name must not be empty"):
        run(uow_of, admin, admin_of.rename_engagement, pilot.id, "  ")
    with pytest.raises(Conflict, match="Open another engagement"):
        run(uow_of, admin, admin_of.set_archived, admin.engagement_id, True)
    run(uow_of, admin, admin_of.rename_client, "Acme Europe")
    assert db.get(ClientAccount, admin.client_account_id).name == "Acme Europe"
    assert db.get(Engagement, pilot.id).name == "Wave 2"


def test_a_new_client_makes_its_creator_admin_but_an_existing_name_gives_nothing(
    db, uow_of, admin, make_tenant
):
    engagement = run(uow_of, admin, admin_of.create_client, "Globex", "Discovery")
    choices = on_accounts(db, list_engagements, admin.user_id)
    assert ("Globex", "Discovery", "admin") in {
        (c.client_name, c.engagement_name, c.role) for c in choices
    }
    assert engagement.name == "Discovery"
    other = make_tenant(name="Initech")
    with pytest.raises(Conflict, match="exists already"):
        run(uow_of, admin, admin_of.create_client, "Initech", "Sneak in")
    memberships = db.scalars(
        select(Membership).where(
            Membership.user_id == admin.user_id,
            Membership.client_account_id == other.client_account_id,
        )
    ).all()
    assert memberships == []


def test_another_clients_engagements_are_not_found_and_only_admins_manage(
    db, uow_of, admin, make_tenant, make_member
):
    stranger = make_tenant(role="admin", name="Initech")
    for act in (
        lambda uow: admin_of.rename_engagement(uow, stranger.engagement_id, "Mine"),
        lambda uow: admin_of.set_archived(uow, stranger.engagement_id, True),
        lambda uow: admin_of.set_source_order(uow, stranger.engagement_id, "newest_import"),
    ):
        with uow_of(admin) as uow, pytest.raises(NotFound):
            act(uow)
    assert db.get(Engagement, stranger.engagement_id).archived_at is None
    for role in ("analyst", "manager"):
        ctx = make_member(admin, role)
        with uow_of(ctx) as uow, pytest.raises(Forbidden):
            admin_of.add_engagement(uow, "Shadow IT")


def test_the_source_order_of_imports_is_set_per_engagement_by_admins(
    db, uow_of, admin, make_member
):
    pilot, _ = run(uow_of, admin, admin_of.add_engagement, "Pilot")
    assert run(uow_of, admin, admin_of.list_engagements)[1][0].import_precedence == "answers"

    run(uow_of, admin, admin_of.set_source_order, pilot.id, "newest_import")

    orders = {
        row.name: row.import_precedence for row in run(uow_of, admin, admin_of.list_engagements)[1]
    }
    assert orders == {"Pilot": "newest_import", "Wave 1": "answers"}
    with pytest.raises(BadRequest):
        run(uow_of, admin, admin_of.set_source_order, pilot.id, "loudest")
    with uow_of(make_member(admin, "analyst")) as uow, pytest.raises(Forbidden):
        admin_of.set_source_order(uow, pilot.id, "answers")
    assert db.get(Engagement, pilot.id).import_precedence == "newest_import"


def test_an_engagement_admin_manages_its_own_engagement_and_nothing_of_the_client(
    db, uow_of, admin, make_member
):
    pilot, _created = run(uow_of, admin, admin_of.add_engagement, "Pilot")
    scoped = make_member(RequestContext(admin.client_account_id, pilot.id), "admin")
    for act in (
        lambda uow: admin_of.rename_client(uow, "Mine now"),
        lambda uow: admin_of.add_engagement(uow, "Another"),
        lambda uow: admin_of.set_archived(uow, admin.engagement_id, True),
        lambda uow: admin_of.set_archived(uow, pilot.id, False),
        lambda uow: admin_of.create_client(uow, "Side client", "Wave 1"),
    ):
        with uow_of(scoped) as uow, pytest.raises(Forbidden) as refused:
            act(uow)
        assert refused.value.status == 403
    with uow_of(scoped) as uow, pytest.raises(NotFound):
        admin_of.rename_engagement(uow, admin.engagement_id, "Renamed")
    name, rows = run(uow_of, scoped, admin_of.list_engagements)
    assert [row.name for row in rows] == ["Pilot"]
    run(uow_of, scoped, admin_of.rename_engagement, pilot.id, "Pilot 2")
    db.expire_all()
    assert db.get(ClientAccount, admin.client_account_id).name == name == "Acme"
    assert db.get(Engagement, admin.engagement_id).archived_at is None
    assert (
        db.scalars(
            select(Engagement.name).where(Engagement.client_account_id == admin.client_account_id)
        )
        .all()
        .count("Another")
        == 0
    )
