"""Clients, their engagements, people and what each may do where."""

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TimestampMixin


class ClientAccount(TimestampMixin, Base):
    __tablename__ = "client_accounts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Engagement(TimestampMixin, Base):
    __tablename__ = "engagements"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    archived_at: Mapped[datetime | None]  # archived: read-only, in no picker, nothing deleted
    # Which value a later import keeps where people gave one: "answers" (theirs, the
    # difference reported as a conflict) or "newest_import" (the file's, what it replaced
    # reported).
    import_precedence: Mapped[str] = mapped_column(
        String(20), default="answers", server_default="answers"
    )
    __table_args__ = (
        UniqueConstraint("client_account_id", "name"),
        CheckConstraint(
            "import_precedence IN ('answers', 'newest_import')",
            name="ck_engagements_import_precedence",
        ),
    )


class User(TimestampMixin, Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # Argon2 hash; NULL for users who only sign in through OpenID Connect.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_at: Mapped[datetime | None]


class Membership(TimestampMixin, Base):
    """A role on a client account, on one engagement or (engagement_id NULL) on all of them."""

    __tablename__ = "memberships"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="CASCADE")
    )
    engagement_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(20))
    __table_args__ = (
        CheckConstraint("role IN ('analyst', 'manager', 'admin')", name="ck_memberships_role"),
        # Serves "which engagements may this user open" at sign-in.
        Index("ix_memberships_user", "user_id"),
        UniqueConstraint("user_id", "client_account_id", "engagement_id", name="uq_memberships"),
    )
