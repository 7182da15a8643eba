"""Who is signed in, and which engagements they may open with which role."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core import audit
from core.context import ROLE_STRENGTH, ROLES, RequestContext
from core.errors import BadRequest, Forbidden, RateLimited
from core.inputs import parse_text, parse_uuid
from core.passwords import MAX_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from core.permissions import current_role
from core.unit_of_work import atomic
from db.models import ClientAccount, Engagement, Membership, User
from db.settings import get_settings
from db.types import utcnow

logger = logging.getLogger(__name__)


class SignInFailed(Forbidden):
    def __init__(self) -> None:
        # One message for unknown email, wrong password and disabled account alike.
        super().__init__("Wrong email or password")


@dataclass(frozen=True)
class SignedInUser:
    user_id: uuid.UUID
    email: str
    display_name: str


@dataclass(frozen=True)
class EngagementChoice:
    client_account_id: uuid.UUID
    client_name: str
    engagement_id: uuid.UUID
    engagement_name: str
    role: str


def normalize_email(email: object) -> str:
    text = parse_text(email, "email", max_length=320).lower()
    if "@" not in text or any(character.isspace() for character in text):
        raise BadRequest("email must look like name@domain", field="email")
    return text


def authenticate(db: Session, email: str, password: str) -> SignedInUser:
    """Check a local account's password; too many failures lock the account for a while."""
    address = normalize_email(email)
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        raise BadRequest(
            f"password must be text of at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    settings = get_settings()
    with atomic(db):
        user = db.scalars(select(User).where(User.email == address).with_for_update()).first()
        now = utcnow()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            wait = (user.locked_until - now).total_seconds()
            logger.warning("sign-in refused for %s: locked for %.0f s more", address, wait)
            raise RateLimited(
                f"Too many failed sign-ins; try again in {wait:.0f} s", retry_after_seconds=wait
            )
        matched = verify_password(user.password_hash if user else None, password)
        if user is None or not user.is_active or not matched:
            _count_failure(db, user, address, settings.sign_in_max_failures, settings)
        else:
            user.failed_sign_ins = 0
            user.locked_until = None
            user.last_sign_in_at = now
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(password)
            audit.record_account_event(db, user.id, "signed_in", method="password")
            logger.info("signed in: %s", address)
            return _signed_in(user)
    raise SignInFailed()


def _count_failure(db: Session, user: User | None, address: str, limit: int, settings) -> None:
    if user is None:
        logger.warning("sign-in failed for unknown account %s", address)
        return
    user.failed_sign_ins = (user.failed_sign_ins or 0) + 1
    if user.failed_sign_ins >= limit:
        user.locked_until = utcnow() + timedelta(seconds=settings.sign_in_lock_seconds)
    logger.warning(
        "sign-in failed for %s (%d in a row%s)",
        address,
        user.failed_sign_ins,
        ", locked" if user.locked_until else "",
    )
    audit.record_account_event(
        db,
        user.id,
        "sign_in_failed",
        failures_in_a_row=user.failed_sign_ins,
        locked=user.locked_until is not None,
    )


def sign_in_oidc(db: Session, email: str, display_name: str | None) -> SignedInUser:
    """An identity provider vouched for `email`: sign in the active user who has it."""
    address = normalize_email(email)
    name = parse_text(display_name, "display_name", max_length=200, required=False)
    with atomic(db):
        user = db.scalars(select(User).where(User.email == address).with_for_update()).first()
        if user is None or not user.is_active:
            logger.warning("single sign-on refused for %s: no active account", address)
            raise Forbidden("No active account for this email; ask an admin to add you")
        if name and not user.display_name:
            user.display_name = name
        user.last_sign_in_at = utcnow()
        audit.record_account_event(db, user.id, "signed_in", method="oidc")
        return _signed_in(user)


def _signed_in(user: User) -> SignedInUser:
    return SignedInUser(user.id, user.email, user.display_name or user.email.split("@")[0])


def list_engagements(db: Session, user_id: str | uuid.UUID) -> list[EngagementChoice]:
    """The engagements the user may open, by client then engagement name."""
    user_uuid = parse_uuid(user_id, "user_id")
    rows = db.execute(
        select(Membership.role, ClientAccount, Engagement)
        .join(User, User.id == Membership.user_id)
        .join(ClientAccount, ClientAccount.id == Membership.client_account_id)
        .join(
            Engagement,
            (Engagement.client_account_id == Membership.client_account_id)
            & or_(Membership.engagement_id.is_(None), Engagement.id == Membership.engagement_id),
        )
        .where(Membership.user_id == user_uuid, User.is_active.is_(True))
    ).all()
    best: dict[uuid.UUID, EngagementChoice] = {}
    for role, client, engagement in rows:
        known = best.get(engagement.id)
        if role in ROLES and (known is None or ROLE_STRENGTH[role] > ROLE_STRENGTH[known.role]):
            best[engagement.id] = EngagementChoice(
                client.id, client.name, engagement.id, engagement.name, role
            )
    return sorted(best.values(), key=lambda item: (item.client_name, item.engagement_name))


def context_for(
    db: Session,
    user_id: str | uuid.UUID,
    client_account_id: str | uuid.UUID,
    engagement_id: str | uuid.UUID,
) -> RequestContext:
    """The RequestContext of a user on an engagement; 403 without a membership for it."""
    user_uuid = parse_uuid(user_id, "user_id")
    client_uuid = parse_uuid(client_account_id, "client_account_id")
    engagement_uuid = parse_uuid(engagement_id, "engagement_id")
    role = current_role(db, user_uuid, client_uuid, engagement_uuid)
    if role is None:
        raise Forbidden("You have no membership for this engagement")
    return RequestContext(client_uuid, engagement_uuid, user_id=user_uuid, role=role)
