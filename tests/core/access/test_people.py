"""The People page's use cases: members of the admin's client, invitations, roles, removal,
deactivation, unlocking; the last admin stays; another client's people are not found."""

import uuid

import pytest
from sqlalchemy import select

from config.settings import get_settings
from core.access import people
from core.access.identity import authenticate, list_engagements
from core.access.sessions import restore_session, start_session
from core.access.sign_in_throttle import SignInThrottled
from core.kernel.errors import Conflict, Forbidden, NotFound
from core.kernel.permissions import AccessRevoked
from db.models import AuditEvent, Membership, User
from tests.factories import on_accounts


@pytest.fixture
def admin(make_tenant):
    return make_tenant(role="admin")


def members(uow_of, ctx) -> dict[str, people.Member]:
    with uow_of(ctx) as uow:
        return {member.email: member for member in people.list_members(uow)}


def invite(uow_of, ctx, email, role="analyst", whole_client=False) -> people.Invitation:
    with uow_of(ctx) as uow:
        return people.invite(uow, email, role, whole_client)


def test_an_invited_analyst_signs_in_with_the_password_shown_once(db, uow_of, admin):
    invitation = invite(uow_of, admin, "Priya@Example.com")
    assert invitation.created and len(invitation.temporary_password) >= 12
    user = on_accounts(db, authenticate, "priya@example.com", invitation.temporary_password)
    (choice,) = on_accounts(db, list_engagements, user.user_id)
    assert (choice.engagement_id, choice.role) == (admin.engagement_id, "analyst")
    stored = db.scalars(select(User.password_hash).where(User.email == "priya@example.com")).one()
    assert invitation.temporary_password not in stored

    listed = members(uow_of, admin)["priya@example.com"]
    assert (listed.role, listed.scope, listed.state) == ("analyst", "Wave 1", "active")
    again = invite(uow_of, admin, "priya@example.com", "manager", whole_client=True)
    assert not again.created and again.temporary_password is None  # keeps their own password
    with uow_of(admin) as uow:
        scopes = {(m.scope, m.role) for m in people.list_members(uow) if m.email.startswith("p")}
    assert scopes == {("Wave 1", "analyst"), (people.ALL_ENGAGEMENTS, "manager")}
    actions = db.scalars(select(AuditEvent.action)).all()
    assert actions.count("member_invited") == 2


def test_roles_change_and_memberships_go_but_the_last_admin_stays(db, uow_of, admin):
    invite(uow_of, admin, "lee@example.com", "admin")
    own = next(m for m in members(uow_of, admin).values() if m.user_id == admin.user_id)
    lee = members(uow_of, admin)["lee@example.com"]
    with uow_of(admin) as uow:
        people.change_role(uow, lee.membership_id, "manager")
    assert members(uow_of, admin)["lee@example.com"].role == "manager"
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.change_role(uow, own.membership_id, "analyst")
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.remove_membership(uow, own.membership_id)
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.set_member_active(uow, admin.user_id, False)
    with uow_of(admin) as uow:
        people.remove_membership(uow, lee.membership_id)
    assert "lee@example.com" not in members(uow_of, admin)
    assert members(uow_of, admin)[own.email].role == "admin"


def test_deactivating_ends_sessions_and_access_and_activating_restores_sign_in(
    db, uow_of, admin, make_member
):
    analyst = make_member(admin, "analyst")
    token = on_accounts(db, start_session, analyst.user_id, "password").token
    with uow_of(admin) as uow:
        people.set_member_active(uow, analyst.user_id, False)
    email = db.get(User, analyst.user_id).email
    assert members(uow_of, admin)[email].state == "deactivated"
    assert on_accounts(db, restore_session, token) is None
    with uow_of(analyst) as uow, pytest.raises(AccessRevoked):
        uow.require(people.Action.VIEW)
    with uow_of(admin) as uow:
        people.set_member_active(uow, analyst.user_id, True)
    assert members(uow_of, admin)[email].state == "active"


def test_someone_who_is_also_another_clients_member_is_left_to_an_operator(
    db, uow_of, admin, make_tenant
):
    other = make_tenant(role="analyst")
    db.add(
        Membership(user_id=other.user_id, client_account_id=admin.client_account_id, role="analyst")
    )
    db.commit()
    with uow_of(admin) as uow, pytest.raises(Conflict, match="another client"):
        people.set_member_active(uow, other.user_id, False)
    assert db.get(User, other.user_id).is_active


def test_a_locked_member_is_shown_so_and_unlocked(db, uow_of, admin, monkeypatch):
    invitation = invite(uow_of, admin, "dana@example.com")
    monkeypatch.setenv("SIGN_IN_FREE_FAILURES", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(Forbidden):
            on_accounts(db, authenticate, "dana@example.com", "wrong password", "203.0.113.7")
        with pytest.raises(SignInThrottled):
            on_accounts(db, authenticate, "dana@example.com", "wrong again", "203.0.113.7")
        dana = members(uow_of, admin)["dana@example.com"]
        assert dana.state == "locked"
        with uow_of(admin) as uow:
            assert people.unlock_member(uow, dana.user_id) == 1
        assert members(uow_of, admin)["dana@example.com"].state == "active"
        assert on_accounts(
            db, authenticate, "dana@example.com", invitation.temporary_password, "203.0.113.7"
        )
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_another_clients_people_are_not_found_and_only_admins_manage(
    db, uow_of, admin, make_tenant, make_member
):
    stranger = make_tenant(role="admin")
    (theirs,) = members(uow_of, stranger).values()
    for act in (
        lambda uow: people.change_role(uow, theirs.membership_id, "analyst"),
        lambda uow: people.remove_membership(uow, theirs.membership_id),
        lambda uow: people.set_member_active(uow, stranger.user_id, False),
        lambda uow: people.unlock_member(uow, stranger.user_id),
        lambda uow: people.remove_membership(uow, uuid.uuid4()),
    ):
        with uow_of(admin) as uow, pytest.raises(NotFound):
            act(uow)
    assert list(members(uow_of, admin)) == [db.get(User, admin.user_id).email]
    for role in ("analyst", "manager"):
        ctx = make_member(admin, role)
        with uow_of(ctx) as uow, pytest.raises(Forbidden):
            people.list_members(uow)
        with uow_of(ctx) as uow, pytest.raises(Forbidden):
            people.invite(uow, "x@example.com", "admin")
