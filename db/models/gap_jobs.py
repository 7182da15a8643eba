"""Every gap job an engagement ran, with its retries, kept after its job key expires."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TenantMixin


class GapJob(TenantMixin, Base):
    __tablename__ = "gap_jobs"  # a gap job and its retries (core/enhancement/job_history.py)
    OUTCOMES = ("queued", "running", "completed", "failed", "reset")
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the first attempt's job id
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    retried_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # who retried it last
    submitted_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int]
    processed: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    retries: Mapped[int] = mapped_column(default=0)
    running_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # workers, all attempts
    errors: Mapped[list[Any]] = mapped_column(default=list)
    __table_args__ = (
        CheckConstraint(f"status IN {OUTCOMES}", name="ck_gap_jobs_status"),
        # Serves the Jobs views: the engagement's jobs (or one flow's), newest first.
        Index("ix_gap_jobs_tenant_time", "client_account_id", "engagement_id", "submitted_at"),
        Index("ix_gap_jobs_flow", "collection_flow_id", "submitted_at"),
    )
