"""The People page's use cases: an admin manages the members of the current client.

Each acts in the admin's unit of work (their role re-checked) and only on memberships of the
context's client: another client's membership or person is "not found". An admin of all the
client's engagements manages every membership of the client; an admin of one engagement
manages the memberships of that engagement only (others are "not found") and grants at most
that engagement. A client always keeps one active admin of all its engagements: removing,
demoting or deactivating the last one is a 409, decided with the client's row locked.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from core.access import audit, sessions, sign_in_throttle
from core.access.accounts import add_member
from core.access.identity import normalize_email
from core.kernel.context import ROLES
from core.kernel.errors import Conflict, NotFound
from core.kernel.inputs import parse_choice, parse_uuid
from core.kernel.permissions import Action, NotClientWide, covers_client, lock_client
from core.storage.unit_of_work import UnitOfWork
from db.models import ClientAccount, Engagement, Membership, SignInThrottle, User
from db.types import utcnow

ALL_ENGAGEMENTS = "all engagements"


@dataclass(frozen=True)
class Member:
    membership_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    display_name: str | None
    role: str
    scope: str  # an engagement's name, or "all engagements"
    last_sign_in_at: datetime | None
    state: str  # active | deactivated | locked (sign-ins from some address blocked now)


@dataclass(frozen=True)
class Invitation:
    email: str
    created: bool
    temporary_password: str | None  # for a new account: shown once, never stored in clear


def _in_reach(uow: UnitOfWork) -> ColumnElement[bool]:
    """The memberships the caller manages: the client's, or its engagement's for an admin of
    one engagement."""
    of_client = Membership.client_account_id == uow.ctx.client_account_id
    if covers_client(uow.session, uow.ctx):
        return of_client
    return and_(of_client, Membership.engagement_id == uow.ctx.engagement_id)


def manages_whole_client(uow: UnitOfWork) -> bool:
    """Whether the caller is an admin of all the client's engagements (the forms for the
    whole client are shown to them only; core refuses them to others all the same)."""
    uow.require(Action.MANAGE_PEOPLE)
    return covers_client(uow.session, uow.ctx)


def list_members(uow: UnitOfWork) -> list[Member]:
    """The memberships the caller manages (see `_in_reach`), by email then scope."""
    uow.require(Action.MANAGE_PEOPLE)
    rows = uow.session.execute(
        select(Membership, User, Engagement.name)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Engagement, Engagement.id == Membership.engagement_id)
        .where(_in_reach(uow))
        .order_by(User.email, Engagement.name)
    ).all()
    locked = _locked_emails(uow, {user.email for _m, user, _e in rows})
    return [
        Member(
            membership.id,
            user.id,
            user.email,
            user.display_name,
            membership.role,
            engagement_name or ALL_ENGAGEMENTS,
            user.last_sign_in_at,
            "deactivated" if not user.is_active else "locked" if user.email in locked else "active",
        )
        for membership, user, engagement_name in rows
    ]


def _locked_emails(uow: UnitOfWork, emails: set[str]) -> set[str]:
    keys = {sign_in_throttle.email_key(email): email for email in emails}
    blocked = uow.session.scalars(
        select(SignInThrottle.email_key).where(
            SignInThrottle.email_key.in_(keys), SignInThrottle.blocked_until > utcnow()
        )
    )
    return {keys[key] for key in blocked if key is not None}


def invite(
    uow: UnitOfWork,
    email: str,
    role: str,
    whole_client: bool = False,
    display_name: str | None = None,
) -> Invitation:
    """Give `email` a role on this engagement (or, by an admin of the whole client, on the
    whole client); a new account, called `display_name`, gets a temporary password, to hand
    over once (an existing account keeps the name it has).

    An account that exists but is no member of this client is left to an operator (409):
    nothing of it is read or changed here, and the answer names no other client. Adding it
    here would hand this client's admin a person of another client.
    """
    uow.require(Action.MANAGE_PEOPLE)
    if whole_client and not covers_client(uow.session, uow.ctx):
        raise NotClientWide()
    address = normalize_email(email)
    client = uow.session.get(ClientAccount, uow.ctx.client_account_id)
    engagement = None if whole_client else uow.session.get(Engagement, uow.ctx.engagement_id)
    if client is None:
        raise NotFound("Client not found")
    user_id = uow.session.scalar(select(User.id).where(User.email == address))
    if user_id is not None and not _member_of_client(uow, user_id):
        raise LeftToOperator()
    password = None if user_id else secrets.token_urlsafe(15)
    _user, created = add_member(
        uow, address, role, client, engagement, password=password, display_name=display_name
    )
    audit.record(uow, "member_invited", email=address, role=role, new_account=created)
    return Invitation(address, created, password)


class LeftToOperator(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "This address cannot be invited here; an operator adds people who have an account"
            " already (python -m db users add)"
        )


def _member_of_client(uow: UnitOfWork, user_id: uuid.UUID) -> bool:
    query = select(Membership.id).where(
        Membership.user_id == user_id, Membership.client_account_id == uow.ctx.client_account_id
    )
    return bool(uow.session.scalar(query.exists().select()))


def _membership(uow: UnitOfWork, membership_id: str | uuid.UUID) -> Membership:
    found = uow.session.scalars(
        select(Membership)
        .where(Membership.id == parse_uuid(membership_id, "membership_id"), _in_reach(uow))
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound("No such membership on this client")
    return found


def _member(uow: UnitOfWork, user_id: str | uuid.UUID) -> User:
    """A person whose account the caller may act on (deactivate, unlock): a member in reach
    whose every membership is in reach. One who is also a member of another client is left
    to an operator: one client's admin neither signs a person out of another's nor clears
    their failed sign-ins; one beyond an engagement admin's engagement, to a client's admin."""
    user_uuid = parse_uuid(user_id, "user_id")
    is_member = select(Membership.id).where(Membership.user_id == user_uuid, _in_reach(uow))
    user = uow.session.scalars(
        select(User).where(User.id == user_uuid, is_member.exists()).with_for_update()
    ).first()
    if user is None:
        raise NotFound("No such member of this client")
    beyond = select(Membership.client_account_id).where(
        Membership.user_id == user.id, ~_in_reach(uow)
    )
    clients = set(uow.session.scalars(beyond))
    if clients - {uow.ctx.client_account_id}:
        raise Conflict(
            "This person is also a member of another client; remove the membership here instead"
        )
    if clients:
        raise Conflict(
            "This person is also a member beyond this engagement; remove the membership here"
            " instead, or ask an admin of all the client's engagements"
        )
    return user


def _keep_an_admin(
    uow: UnitOfWork,
    *,
    without_membership: uuid.UUID | None = None,
    without_user: uuid.UUID | None = None,
) -> None:
    """409 unless an active admin of all the client's engagements is left once the change is
    made (an admin of one engagement does not cover the client). The client's row is locked
    first, so two such changes take turns and the second one sees the first."""
    lock_client(uow.session, uow.ctx)
    query = (
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.client_account_id == uow.ctx.client_account_id,
            Membership.engagement_id.is_(None),
            Membership.role == "admin",
            User.is_active.is_(True),
        )
    )
    if without_membership is not None:
        query = query.where(Membership.id != without_membership)
    if without_user is not None:
        query = query.where(User.id != without_user)
    if not uow.session.scalar(query):
        raise Conflict("This is the client's last admin; make someone else admin first")


def _client_wide_admin(uow: UnitOfWork, user_id: uuid.UUID) -> bool:
    query = select(Membership.id).where(
        Membership.user_id == user_id,
        Membership.client_account_id == uow.ctx.client_account_id,
        Membership.engagement_id.is_(None),
        Membership.role == "admin",
    )
    return bool(uow.session.scalar(query.exists().select()))


def change_role(uow: UnitOfWork, membership_id: str | uuid.UUID, role: str) -> Membership:
    uow.require(Action.MANAGE_PEOPLE)
    role = parse_choice(role, "role", ROLES)
    membership = _membership(uow, membership_id)
    if membership.role == "admin" and role != "admin" and membership.engagement_id is None:
        _keep_an_admin(uow, without_membership=membership.id)
    before, membership.role = membership.role, role
    audit.record(
        uow, "member_role_changed", membership_id=str(membership.id), before=before, after=role
    )
    return membership


def remove_membership(uow: UnitOfWork, membership_id: str | uuid.UUID) -> None:
    uow.require(Action.MANAGE_PEOPLE)
    membership = _membership(uow, membership_id)
    if membership.role == "admin" and membership.engagement_id is None:
        _keep_an_admin(uow, without_membership=membership.id)
    audit.record(
        uow,
        "member_removed",
        user_id=str(membership.user_id),
        role=membership.role,
        engagement_id=str(membership.engagement_id) if membership.engagement_id else None,
    )
    uow.session.delete(membership)


def set_member_active(uow: UnitOfWork, user_id: str | uuid.UUID, active: bool) -> User:
    """Deactivate a member (every session ends; refused for the last admin) or activate one.
    An account is one person across clients: see `_member` for whom an admin may act on."""
    uow.require(Action.MANAGE_PEOPLE)
    user = _member(uow, user_id)
    if not active and _client_wide_admin(uow, user.id):
        _keep_an_admin(uow, without_user=user.id)
        sessions.end_sessions_of(uow, user.id)
    if user.is_active != active:
        user.is_active = active
        audit.record(
            uow, "member_activated" if active else "member_deactivated", user_id=str(user.id)
        )
    return user


def unlock_member(uow: UnitOfWork, user_id: str | uuid.UUID) -> int:
    """Forget a member's failed sign-ins from every address; how many addresses they were
    counted from."""
    uow.require(Action.MANAGE_PEOPLE)
    user = _member(uow, user_id)
    cleared = sign_in_throttle.clear_email(uow.session, user.email)
    audit.record(uow, "member_unlocked", user_id=str(user.id), addresses_cleared=cleared)
    return cleared
