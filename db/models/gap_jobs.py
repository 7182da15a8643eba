"""Every gap job an engagement ran, each attempt of it kept, after its job key expires."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint, Uuid
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


class GapJobAttempt(TenantMixin, Base):
    """One try of a gap job: the submission is try 1, each retry adds the next; a try that
    failed or stalled keeps its own outcome, figures, errors and worker."""

    __tablename__ = "gap_job_attempts"
    # A try a retry took over while it was queued or running ended "stalled" (or its worker
    # went offline); the others end as the job does.
    OUTCOMES = ("queued", "running", "completed", "failed", "stalled", "worker offline", "reset")
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the try's own job id
    gap_job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("gap_jobs.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1 for the submission, 2 for the first retry, ...
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # the submitter, or the retrier
    queued_at: Mapped[datetime]
    started_at: Mapped[datetime | None]  # when a worker took it
    ended_at: Mapped[datetime | None]  # for a stalled try, its last heartbeat
    status: Mapped[str] = mapped_column(String(20))
    total: Mapped[int]  # the gaps this try was given (a retry: those left)
    processed: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[Any]] = mapped_column(default=list)
    worker: Mapped[str | None] = mapped_column(String(255))  # host:pid of its worker
    __table_args__ = (
        CheckConstraint(f"status IN {OUTCOMES}", name="ck_gap_job_attempts_status"),
        # Serves the Jobs views: the tries of the listed jobs, in order; and a try by number.
        UniqueConstraint("gap_job_id", "number", name="uq_gap_job_attempts_number"),
    )
