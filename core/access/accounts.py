"""Local accounts and their memberships, as an administrator's command line creates them."""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from core.access import audit, sessions
from core.access.identity import normalize_email
from core.access.passwords import hash_password
from core.kernel.context import ROLES
from core.kernel.errors import BadRequest, Conflict, NotFound
from core.kernel.inputs import parse_choice, parse_text
from core.storage.account_unit_of_work import AccountUnitOfWork
from db.models import ClientAccount, Engagement, Membership, User


def find_client(uow: AccountUnitOfWork, name_or_id: str) -> ClientAccount:
    text = parse_text(name_or_id, "client", max_length=200)
    query = select(ClientAccount).where(ClientAccount.name == text)
    if _is_uuid(text):
        query = select(ClientAccount).where(ClientAccount.id == uuid.UUID(text))
    client = uow.session.scalars(query).first()
    if client is None:
        raise NotFound(f"no client account {text!r}", field="client")
    return client


def find_engagement(uow: AccountUnitOfWork, client: ClientAccount, name_or_id: str) -> Engagement:
    text = parse_text(name_or_id, "engagement", max_length=200)
    query = select(Engagement).where(Engagement.client_account_id == client.id)
    query = query.where(
        Engagement.id == uuid.UUID(text) if _is_uuid(text) else Engagement.name == text
    )
    engagement = uow.session.scalars(query).first()
    if engagement is None:
        raise NotFound(f"no engagement {text!r} of {client.name}", field="engagement")
    return engagement


def has_account(uow: AccountUnitOfWork, email: str) -> bool:
    """Whether `email` names an account already (a new one needs a password)."""
    address = normalize_email(email)
    return bool(uow.session.scalar(select(func.count()).where(User.email == address)))


def add_member(
    uow: AccountUnitOfWork,
    email: str,
    role: str,
    client: ClientAccount,
    engagement: Engagement | None = None,
    *,
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[User, bool]:
    """Give `email` a role (creating the account with `password` if new); (user, created)."""
    address = normalize_email(email)
    role = parse_choice(role, "role", ROLES)
    db = uow.session
    user = db.scalars(select(User).where(User.email == address)).first()
    created = user is None
    if user is None:
        if password is None:
            raise BadRequest("a new account needs a password", field="password")
        user = User(
            email=address,
            display_name=parse_text(display_name, "display_name", required=False) or None,
            password_hash=hash_password(password),
        )
        db.add(user)
        db.flush()
    engagement_id = engagement.id if engagement else None
    duplicate = db.scalars(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.client_account_id == client.id,
            Membership.engagement_id.is_(None)
            if engagement_id is None
            else Membership.engagement_id == engagement_id,
        )
    ).first()
    if duplicate is not None:
        raise Conflict(f"{address} already has the {duplicate.role} role there")
    db.add(
        Membership(
            user_id=user.id, client_account_id=client.id, engagement_id=engagement_id, role=role
        )
    )
    audit.record_account_event(
        uow,
        user.id,
        "membership_added",
        role=role,
        client_account_id=str(client.id),
        engagement_id=str(engagement_id) if engagement_id else None,
    )
    return user, created


@dataclass(frozen=True)
class AccountSummary:
    email: str
    active: bool
    roles: tuple[str, ...]  # "admin on Acme / Migration", "analyst on Acme / all engagements"


def list_accounts(
    uow: AccountUnitOfWork, client: ClientAccount | None = None
) -> list[AccountSummary]:
    """The accounts (those with a membership of `client`, when given) and their roles, by email."""
    db = uow.session
    query = (
        select(User.email, User.is_active, Membership.role, ClientAccount.name, Engagement.name)
        .outerjoin(Membership, Membership.user_id == User.id)
        .outerjoin(ClientAccount, ClientAccount.id == Membership.client_account_id)
        .outerjoin(Engagement, Engagement.id == Membership.engagement_id)
        .order_by(User.email, ClientAccount.name, Engagement.name)
    )
    if client is not None:
        query = query.where(Membership.client_account_id == client.id)
    roles: dict[str, list[str]] = {}
    active: dict[str, bool] = {}
    for email, is_active, role, client_name, engagement_name in db.execute(query).all():
        active[email] = is_active
        held = roles.setdefault(email, [])
        if role is not None:
            held.append(f"{role} on {client_name} / {engagement_name or 'all engagements'}")
    return [AccountSummary(email, active[email], tuple(roles[email])) for email in roles]


def find_account(uow: AccountUnitOfWork, email: str, *, for_update: bool = False) -> User:
    """The account of `email`; 404 naming it when there is none."""
    address = normalize_email(email)
    query = select(User).where(User.email == address)
    user = uow.session.scalars(query.with_for_update() if for_update else query).first()
    if user is None:
        raise NotFound(f"no account {address!r}", field="email")
    return user


def set_active(uow: AccountUnitOfWork, email: str, active: bool) -> tuple[User, bool]:
    """Let the account of `email` sign in (or stop it); (user, changed). An inactive account
    can neither sign in nor open an engagement it is a member of."""
    user = find_account(uow, email, for_update=True)
    if user.is_active == active:
        return user, False
    user.is_active = active
    if not active:
        sessions.end_sessions_of(uow, user.id)
    audit.record_account_event(
        uow, user.id, "account_activated" if active else "account_deactivated"
    )
    return user, True


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
