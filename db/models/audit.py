"""The audit trail: who did what, where and when."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Index,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base
from db.types import utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    client_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    engagement_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    flow_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (
        # Serves the admin's audit trail: one tenant's events, newest first.
        Index("ix_audit_tenant_time", "client_account_id", "engagement_id", "occurred_at"),
        # Serves a flow page's history.
        Index("ix_audit_flow", "flow_id"),
    )
