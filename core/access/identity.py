"""Who is signed in, and which engagements they may open with which role."""

import logging
import unicodedata
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select

from config.settings import get_settings
from core.access import audit, sign_in_throttle
from core.access.passwords import MAX_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password
from core.kernel.context import ROLE_STRENGTH, ROLES, RequestContext
from core.kernel.errors import BadRequest, Forbidden
from core.kernel.inputs import parse_text, parse_uuid
from core.kernel.permissions import SignedOut, current_role, session_is_live
from core.kernel.text import BIDI_CONTROLS
from core.storage.account_unit_of_work import AccountUnitOfWork
from db.models import ClientAccount, Engagement, Membership, User
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
    # An email names an account: one with an invisible format character (a bidi control, a
    # zero-width space, a soft hyphen) is refused, never cleaned into someone else's address.
    text = parse_text(email, "email", max_length=320).lower()  # bidi controls dropped here
    if BIDI_CONTROLS.search(str(email)) or any(unicodedata.category(c) == "Cf" for c in text):
        raise BadRequest("email must not hold invisible characters", field="email")
    if "@" not in text or any(character.isspace() for character in text):
        raise BadRequest("email must look like name@domain", field="email")
    return text


def authenticate(
    uow: AccountUnitOfWork, email: str, password: str, source_address: str | None = None
) -> SignedInUser:
    """Check a local account's password, throttled per (email, source address) and address.

    Every answer costs one Argon2 verification, whether the account exists, is disabled, is
    throttled or not: neither the time nor the message tells which emails have accounts.
    `source_address` is the client's address as the web server saw it (None: unknown).
    The attempt is counted (and a failure recorded) in transactions of their own, so a
    refusal keeps them.
    """
    email_address = normalize_email(email)
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH:
        raise BadRequest(
            f"password must be text of at most {MAX_PASSWORD_LENGTH} characters", field="password"
        )
    source = sign_in_throttle.source_of(source_address)
    policy = sign_in_throttle.ThrottlePolicy.from_settings(get_settings())
    wait, user_id, stored_hash = _count_attempt(uow, email_address, source, policy)
    # Outside any transaction: the slow hash holds no lock. A missing hash checks a dummy.
    matched = verify_password(stored_hash, password)
    if wait:
        logger.warning("sign-in throttled for %s from %s: %.0f s more", email_address, source, wait)
        raise sign_in_throttle.SignInThrottled(wait)
    if not matched:
        _record_failure(uow, user_id, email_address, source)
        uow.commit()
        raise SignInFailed()
    user = uow.session.get(User, user_id, with_for_update=True)
    if user is None or not user.is_active or not user.password_hash:
        raise SignInFailed()  # disabled, or its password removed, while the hash was checked
    sign_in_throttle.refund(uow.session, email_address, source, policy)
    user.last_sign_in_at = utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record_account_event(uow, user.id, "signed_in", method="password", source=source)
    logger.info("signed in: %s from %s", email_address, source)
    return signed_in(user)


def _count_attempt(
    uow: AccountUnitOfWork, email_address: str, source: str, policy: sign_in_throttle.ThrottlePolicy
) -> tuple[float, uuid.UUID | None, str | None]:
    """(seconds to wait, the account's id, the hash to check), the attempt counted and saved."""
    now = utcnow()
    wait = sign_in_throttle.reserve_attempt(uow.session, email_address, source, policy, now)
    user = uow.session.scalars(select(User).where(User.email == email_address)).first()
    user_id = user.id if user is not None else None
    usable = user is not None and user.is_active and not wait
    stored_hash = user.password_hash if user is not None and usable else None
    uow.commit()
    sign_in_throttle.prune(uow.session, policy, now)
    uow.commit()
    return wait, user_id, stored_hash


def _record_failure(
    uow: AccountUnitOfWork, user_id: uuid.UUID | None, email_address: str, source: str
) -> None:
    # Recorded for unknown emails too: the same write either way, so the same time.
    failures = sign_in_throttle.failures_counted(uow.session, email_address, source)
    logger.warning("sign-in failed for %s from %s (%d in a row)", email_address, source, failures)
    audit.record_account_event(
        uow,
        user_id,
        "sign_in_failed",
        email=email_address,
        source=source,
        failures_in_a_row=failures,
    )


def sign_in_oidc(uow: AccountUnitOfWork, email: str, display_name: str | None) -> SignedInUser:
    """An identity provider vouched for `email`: sign in the active user who has it."""
    address = normalize_email(email)
    name = parse_text(display_name, "display_name", max_length=200, required=False)
    query = select(User).where(User.email == address).with_for_update()
    user = uow.session.scalars(query).first()
    if user is None or not user.is_active:
        logger.warning("single sign-on refused for %s: no active account", address)
        raise Forbidden("No active account for this email; ask an admin to add you")
    if name and not user.display_name:
        user.display_name = name
    user.last_sign_in_at = utcnow()
    audit.record_account_event(uow, user.id, "signed_in", method="oidc")
    return signed_in(user)


def signed_in(user: User) -> SignedInUser:
    return SignedInUser(user.id, user.email, user.display_name or user.email.split("@")[0])


def list_engagements(uow: AccountUnitOfWork, user_id: str | uuid.UUID) -> list[EngagementChoice]:
    """The engagements the user may open, by client then engagement name."""
    user_uuid = parse_uuid(user_id, "user_id")
    rows = uow.session.execute(
        select(Membership.role, ClientAccount, Engagement)
        .join(User, User.id == Membership.user_id)
        .join(ClientAccount, ClientAccount.id == Membership.client_account_id)
        .join(
            Engagement,
            (Engagement.client_account_id == Membership.client_account_id)
            & or_(Membership.engagement_id.is_(None), Engagement.id == Membership.engagement_id),
        )
        .where(
            Membership.user_id == user_uuid,
            User.is_active.is_(True),
            Engagement.archived_at.is_(None),  # archived: in no picker
        )
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
    uow: AccountUnitOfWork,
    user_id: str | uuid.UUID,
    client_account_id: str | uuid.UUID,
    engagement_id: str | uuid.UUID,
    *,
    sign_in_session_id: str | uuid.UUID | None,
) -> RequestContext:
    """The RequestContext of a user on an engagement, acting under a live sign-in session;
    403 without a membership for it, or once the session ended."""
    user_uuid = parse_uuid(user_id, "user_id")
    client_uuid = parse_uuid(client_account_id, "client_account_id")
    engagement_uuid = parse_uuid(engagement_id, "engagement_id")
    session_uuid = parse_uuid(sign_in_session_id, "sign_in_session_id")
    role = current_role(uow.session, user_uuid, client_uuid, engagement_uuid)
    if role is None:
        raise Forbidden("You have no membership for this engagement")
    ctx = RequestContext(
        client_uuid, engagement_uuid, user_id=user_uuid, role=role, sign_in_session_id=session_uuid
    )
    if not session_is_live(uow.session, ctx):
        raise SignedOut()
    return ctx
