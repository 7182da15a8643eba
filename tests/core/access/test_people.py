"""The People page's use cases: members of the admin's client, invitations, roles, removal,
deactivation, unlocking; the last admin stays; another client's people are not found."""

import threading
import uuid

import pytest
from sqlalchemy import select, text

from config.settings import get_settings
from core.access import people
from core.access.engagement_admin import add_engagement
from core.access.identity import authenticate, list_engagements
from core.access.sessions import restore_session, start_session
from core.access.sign_in_throttle import SignInThrottled
from core.kernel.context import RequestContext
from core.kernel.errors import Conflict, Forbidden, NotFound
from core.kernel.permissions import AccessRevoked, NotClientWide
from core.storage.unit_of_work import engagement_uow
from db.models import AuditEvent, Membership, User
from tests.factories import on_accounts


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


@pytest.fixture
def engagement_admin(db, uow_of, admin, make_member):
    """An admin of Wave 2 only, beside the client's admin (of all its engagements)."""
    with uow_of(admin) as uow:
        wave_2, _created = add_engagement(uow, "Wave 2")
    return make_member(RequestContext(admin.client_account_id, wave_2.id), "admin")


def test_an_engagement_admin_grants_at_most_its_own_engagement(db, uow_of, admin, engagement_admin):
    own_email = db.get(User, engagement_admin.user_id).email
    for email in (own_email, "new@example.com"):
        with uow_of(engagement_admin) as uow, pytest.raises(NotClientWide) as refused:
            people.invite(uow, email, "admin", whole_client=True)
        assert refused.value.status == 403
    assert not db.scalars(select(User).where(User.email == "new@example.com")).first()
    assert [
        c.engagement_name for c in on_accounts(db, list_engagements, engagement_admin.user_id)
    ] == ["Wave 2"]
    assert invite(uow_of, engagement_admin, "lee@example.com", "admin").created
    (lee,) = on_accounts(
        db,
        list_engagements,
        db.scalars(select(User.id).where(User.email == "lee@example.com")).one(),
    )
    assert (lee.engagement_name, lee.role) == ("Wave 2", "admin")


def test_an_engagement_admin_manages_the_members_of_its_engagement_only(
    db, uow_of, admin, engagement_admin, make_member
):
    client_admin = next(m for m in members(uow_of, admin).values() if m.user_id == admin.user_id)
    wave_1_analyst = make_member(admin, "analyst")
    both = make_member(admin, "analyst")  # of Wave 1, and of Wave 2 below
    db.add(
        Membership(
            user_id=both.user_id,
            client_account_id=admin.client_account_id,
            engagement_id=engagement_admin.engagement_id,
            role="analyst",
        )
    )
    db.commit()
    seen = members(uow_of, engagement_admin)
    assert {m.user_id for m in seen.values()} == {engagement_admin.user_id, both.user_id}
    assert {m.scope for m in seen.values()} == {"Wave 2"}
    for act in (
        lambda uow: people.change_role(uow, client_admin.membership_id, "analyst"),
        lambda uow: people.remove_membership(uow, client_admin.membership_id),
        lambda uow: people.set_member_active(uow, admin.user_id, False),
        lambda uow: people.unlock_member(uow, admin.user_id),
        lambda uow: people.set_member_active(uow, wave_1_analyst.user_id, False),
    ):
        with uow_of(engagement_admin) as uow, pytest.raises(NotFound):
            act(uow)
    with uow_of(engagement_admin) as uow, pytest.raises(Conflict, match="beyond this engagement"):
        people.set_member_active(uow, both.user_id, False)
    assert db.get(User, admin.user_id).is_active and db.get(User, both.user_id).is_active
    assert members(uow_of, admin)[client_admin.email].role == "admin"


def test_the_last_admin_of_the_whole_client_stays_whatever_engagement_admins_there_are(
    db, uow_of, admin, engagement_admin
):
    own = next(m for m in members(uow_of, admin).values() if m.user_id == admin.user_id)
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.change_role(uow, own.membership_id, "analyst")
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.remove_membership(uow, own.membership_id)
    with uow_of(admin) as uow, pytest.raises(Conflict, match="last admin"):
        people.set_member_active(uow, admin.user_id, False)
    # An engagement's admin may go: the client keeps its admin.
    theirs = members(uow_of, admin)[db.get(User, engagement_admin.user_id).email]
    with uow_of(admin) as uow:
        people.change_role(uow, theirs.membership_id, "analyst")


def test_an_existing_account_of_another_client_is_left_to_an_operator(
    db, uow_of, admin, make_tenant, monkeypatch
):
    stranger = make_tenant(role="analyst", name="Another client")
    email = db.get(User, stranger.user_id).email
    before = fingerprint_of(db, stranger.user_id)
    with uow_of(admin) as uow, pytest.raises(Conflict) as refused:
        people.invite(uow, email, "analyst")
    assert "Another client" not in refused.value.message
    assert "operator" in refused.value.message
    assert fingerprint_of(db, stranger.user_id) == before
    assert email not in members(uow_of, admin)
    with uow_of(admin) as uow, pytest.raises(NotFound):  # nor can the admin clear its throttle
        people.unlock_member(uow, stranger.user_id)


def fingerprint_of(db, user_id):
    db.expire_all()
    user = db.get(User, user_id)
    held = db.scalars(select(Membership.client_account_id).where(Membership.user_id == user_id))
    return (user.password_hash, user.is_active, sorted(map(str, held)))


def test_two_admins_demoting_each_other_at_once_leave_one(
    db, backend, session_maker, owner_engine, admin, make_member
):
    if backend != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no two demotions overlap")
    other = make_member(admin, "admin", whole_client=True)
    by_user = {
        m.user_id: m.membership_id for m in members(lambda c: engagement_uow(c, db), admin).values()
    }
    outcome: list[BaseException | None] = []

    def demote_first_admin() -> None:
        try:
            with session_maker() as session, engagement_uow(other, session) as uow:
                people.change_role(uow, by_user[admin.user_id], "analyst")
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    with session_maker() as session:
        first = engagement_uow(admin, session)
        with first:
            people.change_role(first, by_user[other.user_id], "analyst")
            second = threading.Thread(target=demote_first_admin)
            second.start()
            waits_for_the_client_row(owner_engine, second)
        second.join()
    (refused,) = outcome
    assert isinstance(refused, Conflict) and refused.status == 409
    roles = dict(
        db.execute(
            select(Membership.user_id, Membership.role).where(
                Membership.client_account_id == admin.client_account_id
            )
        ).all()
    )
    assert roles == {admin.user_id: "admin", other.user_id: "analyst"}


def waits_for_the_client_row(owner_engine, thread: threading.Thread) -> None:
    """Until the thread's transaction waits for a lock (or has ended, if nothing held it)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    # Autocommit: PostgreSQL keeps one snapshot of pg_stat_activity per transaction.
    with owner_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        while thread.is_alive() and not connection.execute(query).scalar():
            thread.join(0.01)
