"""Failed sign-in counts and the sessions a signed-in browser keeps."""

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.types import utcnow


class SignInThrottle(Base):
    """Failed sign-ins of one (email, source address) pair, or of one source address."""

    __tablename__ = "sign_in_throttles"
    # sha256 of what is counted (core/access/sign_in_throttle.py): fixed width, no email in clear.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # sha256 of the email a pair's row counts (NULL on an address's row), for `users unlock`.
    email_key: Mapped[str | None] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime]
    __table_args__ = (
        # Serves the pruning of counts nobody has added to for a while.
        Index("ix_sign_in_throttles_last_attempt", "last_attempt_at"),
        # Serves the unlocking of one email's counts, from whatever addresses.
        Index("ix_sign_in_throttles_email", "email_key"),
    )


class SignInSession(Base):
    """One sign-in kept across reloads, named by the cookie's token (core/access/sessions.py)."""

    __tablename__ = "sign_in_sessions"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    method: Mapped[str] = mapped_column(String(20))  # password | oidc
    # The engagement last opened, reopened after a reload (its membership checked again).
    client_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="SET NULL")
    )
    engagement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    # Serves ending every session of a user (new password, deactivation).
    __table_args__ = (Index("ix_sign_in_sessions_user", "user_id"),)
