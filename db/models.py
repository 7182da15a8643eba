"""SQLAlchemy models for every table of the product (see DESIGN.md, "Domain model")."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import JSONType, UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONType, list[Any]: JSONType}


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantMixin:
    client_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("client_accounts.id", ondelete="CASCADE")
    )
    engagement_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE")
    )


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
    __table_args__ = (UniqueConstraint("client_account_id", "name"),)


class User(TimestampMixin, Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # Argon2 hash; NULL for users who only sign in through OpenID Connect.
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_sign_in_at: Mapped[datetime | None]


class SignInThrottle(Base):
    """Failed sign-ins of one (email, source address) pair, or of one source address."""

    __tablename__ = "sign_in_throttles"
    # sha256 of what is counted (core/access/sign_in_throttle.py): fixed width, no email in clear.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime]
    __table_args__ = (
        # Serves the pruning of counts nobody has added to for a while.
        Index("ix_sign_in_throttles_last_attempt", "last_attempt_at"),
    )


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


class Asset(TenantMixin, TimestampMixin, Base):
    __tablename__ = "assets"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(255))
    asset_type: Mapped[str] = mapped_column(String(30))
    operating_system: Mapped[str | None] = mapped_column(String(100))
    os_version: Mapped[str | None] = mapped_column(String(100))
    cpu_cores: Mapped[int | None]
    memory_gb: Mapped[float | None] = mapped_column(Float)
    storage_gb: Mapped[float | None] = mapped_column(Float)
    environment: Mapped[str | None] = mapped_column(String(50))
    technology_stack: Mapped[str | None] = mapped_column(String(255))
    business_criticality: Mapped[str | None] = mapped_column(String(50))
    business_owner: Mapped[str | None] = mapped_column(String(255))
    technical_owner: Mapped[str | None] = mapped_column(String(255))
    custom_attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    __table_args__ = (
        CheckConstraint(
            "asset_type IN ('server', 'virtual_machine', 'database', 'application',"
            " 'network', 'storage', 'other')",
            name="ck_assets_asset_type",
        ),
        # The natural key of an import, and the asset picker's listing by name.
        UniqueConstraint("client_account_id", "engagement_id", "name", name="uq_assets_name"),
        # Peer lookups of the gap agent: same engagement and type.
        Index("ix_assets_tenant_type", "client_account_id", "engagement_id", "asset_type"),
    )


class MasterFlow(TenantMixin, TimestampMixin, Base):
    __tablename__ = "master_flows"
    flow_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_type: Mapped[str] = mapped_column(String(50))
    flow_name: Mapped[str] = mapped_column(String(255))
    flow_status: Mapped[str] = mapped_column(String(20))
    # [{"phase": ..., "status": ..., "timestamp": ISO-8601 UTC}], oldest first.
    phase_transitions: Mapped[list[Any]] = mapped_column(default=list)
    retry_count: Mapped[int] = mapped_column(default=0)
    error_history: Mapped[list[Any]] = mapped_column(default=list)
    # Serves the tenant's flow list.
    __table_args__ = (Index("ix_master_flows_tenant", "client_account_id", "engagement_id"),)

    def get_current_phase(self) -> str | None:
        return self.phase_transitions[-1]["phase"] if self.phase_transitions else None


class CollectionFlow(TenantMixin, TimestampMixin, Base):
    __tablename__ = "collection_flows"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    flow_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    master_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("master_flows.flow_id", ondelete="CASCADE")
    )
    flow_name: Mapped[str] = mapped_column(String(255))
    automation_tier: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    current_phase: Mapped[str] = mapped_column(String(40))
    progress_percentage: Mapped[float] = mapped_column(Float, default=0.0)
    collection_config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    phase_state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    master_flow: Mapped[MasterFlow] = relationship(lazy="joined", innerjoin=True)
    __table_args__ = (
        CheckConstraint(
            "automation_tier IN ('tier_1', 'tier_2', 'tier_3', 'tier_4')",
            name="ck_collection_flows_tier",
        ),
        # Serves the tenant's flow list and its phase/status filters.
        Index("ix_collection_flows_tenant", "client_account_id", "engagement_id", "current_phase"),
    )


class CollectionDataGap(TimestampMixin, Base):
    __tablename__ = "collection_data_gaps"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    field_name: Mapped[str] = mapped_column(String(100))
    gap_type: Mapped[str] = mapped_column(String(30))
    gap_category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[int] = mapped_column(Integer)
    impact_on_sixr: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    suggested_resolution: Mapped[str | None] = mapped_column(Text)
    predicted_value: Mapped[str | None] = mapped_column(Text)
    confidence_score: Mapped[float | None] = mapped_column(Float)
    ai_suggestions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_agent: Mapped[str | None] = mapped_column(String(100))
    resolution_status: Mapped[str] = mapped_column(String(20), default="pending")
    resolved_value: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None]
    __table_args__ = (
        # Every gap write is an upsert against this key.
        UniqueConstraint(
            "collection_flow_id", "field_name", "gap_type", "asset_id", name="uq_gap_identity"
        ),
        CheckConstraint("priority BETWEEN 1 AND 4", name="ck_gaps_priority"),
        CheckConstraint(
            "confidence_score IS NULL OR (confidence_score >= 0 AND confidence_score <= 1)",
            name="ck_gaps_confidence",
        ),
        CheckConstraint(
            "resolution_status IN ('pending', 'resolved', 'skipped')", name="ck_gaps_resolution"
        ),
        # Serves the Gaps page: one flow's gaps filtered by status and priority.
        Index("ix_gaps_flow_status", "collection_flow_id", "resolution_status", "priority"),
    )


class GapJob(TenantMixin, Base):
    __tablename__ = "gap_jobs"  # a gap job and its retries (core/enhancement/job_history.py)
    OUTCOMES = ("queued", "running", "completed", "failed", "reset")
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)  # the first attempt's job id
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
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


class Questionnaire(TimestampMixin, Base):
    __tablename__ = "questionnaires"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    # [{"id": gap id, "field_name", "label", "type", "options", "required", "default", "help"}]
    questions: Mapped[list[Any]] = mapped_column(default=list)
    target_gaps: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    __table_args__ = (
        UniqueConstraint("collection_flow_id", "asset_id", name="uq_questionnaire_per_asset"),
    )


class QuestionnaireResponse(TimestampMixin, Base):
    __tablename__ = "questionnaire_responses"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    questionnaire_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(100))
    # The answer exactly as submitted, so nothing a person typed is lost before validation.
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    validation_status: Mapped[str] = mapped_column(String(20), default="unchecked")
    validation_message: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "question_id", name="uq_response_per_question"),
    )


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


class JobKey(Base):
    """The SQL job-key store of the embedded default (Redis keys in production)."""

    __tablename__ = "job_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime]
