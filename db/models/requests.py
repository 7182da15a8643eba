"""Requests to owners: one owner's open questions of one flow, mailed with a signed link."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TenantMixin, TimestampMixin


class OwnerRequest(TenantMixin, TimestampMixin, Base):
    __tablename__ = "owner_requests"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    owner_email: Mapped[str] = mapped_column(String(320))
    owner_name: Mapped[str | None] = mapped_column(String(255))
    # The question (gap) ids the last mail asked for: a new mail only when they change.
    question_ids: Mapped[list[Any]] = mapped_column(default=list)
    # A link names the request and this nonce: a new nonce revokes every older link.
    link_nonce: Mapped[str] = mapped_column(String(64))
    link_expires_at: Mapped[datetime]
    link_opened_at: Mapped[datetime | None]
    due_on: Mapped[date | None]
    # queued (a mail waits for a worker), sent, retrying, failed (the last mail was refused)
    delivery_status: Mapped[str] = mapped_column(String(20), default="queued")
    delivery_error: Mapped[str | None] = mapped_column(Text)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the queued mail is: "request" (first or changed questions) or "reminder".
    queued_kind: Mapped[str] = mapped_column(String(20), default="request")
    first_mailed_at: Mapped[datetime | None]
    last_mailed_at: Mapped[datetime | None]
    mails_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None]
    __table_args__ = (
        UniqueConstraint("collection_flow_id", "owner_email", name="uq_owner_request"),
        # The reminder run reads every request of the engagement.
        Index("ix_owner_requests_tenant", "client_account_id", "engagement_id"),
    )


class QuestionAssignment(TenantMixin, TimestampMixin, Base):
    """An owner given by a person to a question whose asset names none reachable."""

    __tablename__ = "question_assignments"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    gap_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_data_gaps.id", ondelete="CASCADE")
    )
    owner_email: Mapped[str] = mapped_column(String(320))
    assigned_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    __table_args__ = (
        UniqueConstraint("gap_id", name="uq_question_assignment"),
        # A flow's assignments are read whenever its owners are worked out.
        Index("ix_question_assignments_flow", "collection_flow_id"),
    )
