"""The People page's use cases: an admin manages the members of the current client.

Each acts in the admin's unit of work (their role re-checked) and only on memberships of the
context's client: another client's membership or person is "not found". A client always
keeps one active admin: removing, demoting or deactivating the last one is a 409.
"""

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from core.access import audit, sessions, sign_in_throttle
from core.access.accounts import add_member
from core.access.identity import normalize_email
from core.kernel.context import ROLES
from core.kernel.errors import Conflict, NotFound
from core.kernel.inputs import parse_choice, parse_uuid
from core.kernel.permissions import Action
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


def list_members(uow: UnitOfWork) -> list[Member]:
    """The memberships of the context's client, by email then scope."""
    uow.require(Action.MANAGE_PEOPLE)
    rows = uow.session.execute(
        select(Membership, User, Engagement.name)
        .join(User, User.id == Membership.user_id)
        .outerjoin(Engagement, Engagement.id == Membership.engagement_id)
        .where(Membership.client_account_id == uow.ctx.client_account_id)
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


def invite(uow: UnitOfWork, email: str, role: str, whole_client: bool = False) -> Invitation:
    """Give `email` a role on this engagement (or on the whole client); a new account gets a
    temporary password, to hand over once. An existing account keeps its own."""
    uow.require(Action.MANAGE_PEOPLE)
    address = normalize_email(email)
    client = uow.session.get(ClientAccount, uow.ctx.client_account_id)
    engagement = None if whole_client else uow.session.get(Engagement, uow.ctx.engagement_id)
    if client is None:
        raise NotFound("Client not found")
    exists = uow.session.scalar(select(func.count()).where(User.email == address))
    password = None if exists else secrets.token_urlsafe(15)
    _user, created = add_member(uow, address, role, client, engagement, password=password)
    audit.record(uow, "member_invited", email=address, role=role, new_account=created)
    return Invitation(address, created, password)


def _membership(uow: UnitOfWork, membership_id: str | uuid.UUID) -> Membership:
    found = uow.session.scalars(
        select(Membership)
        .where(
            Membership.id == parse_uuid(membership_id, "membership_id"),
            Membership.client_account_id == uow.ctx.client_account_id,
        )
        .with_for_update()
    ).first()
    if found is None:
        raise NotFound("No such membership on this client")
    return found


def _member(uow: UnitOfWork, user_id: str | uuid.UUID) -> User:
    user_uuid = parse_uuid(user_id, "user_id")
    is_member = select(Membership.id).where(
        Membership.user_id == user_uuid,
        Membership.client_account_id == uow.ctx.client_account_id,
    )
    user = uow.session.scalars(
        select(User).where(User.id == user_uuid, is_member.exists()).with_for_update()
    ).first()
    if user is None:
        raise NotFound("No such member of this client")
    return user


def _keep_an_admin(
    uow: UnitOfWork,
    *,
    without_membership: uuid.UUID | None = None,
    without_user: uuid.UUID | None = None,
) -> None:
    """409 unless an active admin of the client is left once the change is made."""
    query = (
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.client_account_id == uow.ctx.client_account_id,
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


def change_role(uow: UnitOfWork, membership_id: str | uuid.UUID, role: str) -> Membership:
    uow.require(Action.MANAGE_PEOPLE)
    role = parse_choice(role, "role", ROLES)
    membership = _membership(uow, membership_id)
    if membership.role == "admin" and role != "admin":
        _keep_an_admin(uow, without_membership=membership.id)
    before, membership.role = membership.role, role
    audit.record(
        uow, "member_role_changed", membership_id=str(membership.id), before=before, after=role
    )
    return membership


def remove_membership(uow: UnitOfWork, membership_id: str | uuid.UUID) -> None:
    uow.require(Action.MANAGE_PEOPLE)
    membership = _membership(uow, membership_id)
    if membership.role == "admin":
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
    An account is one person across clients, so one that is also a member of another client
    is left to an operator: one client's admin does not sign a person out of another's."""
    uow.require(Action.MANAGE_PEOPLE)
    user = _member(uow, user_id)
    elsewhere = select(Membership.id).where(
        Membership.user_id == user.id,
        Membership.client_account_id != uow.ctx.client_account_id,
    )
    if uow.session.scalar(elsewhere.exists().select()):
        raise Conflict(
            "This person is also a member of another client; remove the membership here instead"
        )
    if not active:
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
