"""Staying signed in across reloads: one session row per sign-in, named by a signed token.

A session ends when it expires (SESSION_HOURS after the sign-in), at Sign out, and for every
session of a person at a new password or a deactivation; each restore checks all of that,
and that the account is still active, against the database.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from config.settings import get_settings
from core.access import session_tokens
from core.access.identity import EngagementChoice, SignedInUser, list_engagements, signed_in
from core.storage.account_unit_of_work import AccountUnitOfWork
from db.models import SignInSession, User
from db.types import utcnow

METHODS = ("password", "oidc")
OPERATOR = "operator"  # an operator's command acting for a person; no cookie names it


@dataclass(frozen=True)
class StartedSession:
    session_id: uuid.UUID  # what every action of the person checks is still live
    token: str  # for the cookie
    expires_at: datetime


@dataclass(frozen=True)
class RestoredSession:
    session_id: uuid.UUID
    user: SignedInUser
    engagement: EngagementChoice | None  # the one last opened, if still a member of it


def start_session(uow: AccountUnitOfWork, user_id: uuid.UUID, method: str) -> StartedSession:
    """A session for someone who just signed in (by `method`)."""
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    settings = get_settings()
    expires_at = utcnow() + timedelta(hours=settings.session_hours)
    session = SignInSession(user_id=user_id, method=method, expires_at=expires_at)
    uow.session.add(session)
    uow.session.flush()
    return StartedSession(session.id, session_tokens.sign(session.id, settings), expires_at)


def start_operator_session(uow: AccountUnitOfWork, user_id: uuid.UUID) -> uuid.UUID:
    """A session for an operator's command that acts for a person (the demo seed creates the
    demo analyst's flows): its id for the context; ended by `end_session_id`."""
    expires_at = utcnow() + timedelta(hours=get_settings().session_hours)
    session = SignInSession(user_id=user_id, method=OPERATOR, expires_at=expires_at)
    uow.session.add(session)
    uow.session.flush()
    return session.id


def end_session_id(uow: AccountUnitOfWork, session_id: uuid.UUID) -> None:
    session = uow.session.get(SignInSession, session_id)
    if session is not None and session.ended_at is None:
        session.ended_at = utcnow()


def _live_session(uow: AccountUnitOfWork, token: object) -> SignInSession | None:
    session_id = session_tokens.read(token, get_settings())
    session = uow.session.get(SignInSession, session_id) if session_id else None
    if session is None or session.ended_at is not None or session.expires_at <= utcnow():
        return None
    return session


def restore_session(uow: AccountUnitOfWork, token: object) -> RestoredSession | None:
    """Who `token` keeps signed in, and the engagement to reopen; None when the token is not
    genuine, or its session expired or ended, or the account is no longer active."""
    session = _live_session(uow, token)
    user = uow.session.get(User, session.user_id) if session else None
    if session is None or user is None or not user.is_active:
        return None
    choice = None
    if session.engagement_id is not None:
        choices = list_engagements(uow, user.id)
        choice = next((c for c in choices if c.engagement_id == session.engagement_id), None)
    return RestoredSession(session.id, signed_in(user), choice)


def remember_engagement(
    uow: AccountUnitOfWork, token: object, engagement: EngagementChoice | None
) -> None:
    """The engagement a reload should reopen (None: the picker)."""
    session = _live_session(uow, token)
    if session is not None:
        session.client_account_id = engagement.client_account_id if engagement else None
        session.engagement_id = engagement.engagement_id if engagement else None


def end_session(uow: AccountUnitOfWork, token: object) -> None:
    """Sign out: the session of `token` ends (nothing if it was not genuine or live)."""
    session = _live_session(uow, token)
    if session is not None:
        session.ended_at = utcnow()


def end_sessions_of(uow: AccountUnitOfWork, user_id: uuid.UUID) -> None:
    """Every live session of the person ends (a new password, a deactivation)."""
    uow.session.execute(
        update(SignInSession)
        .where(SignInSession.user_id == user_id, SignInSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
