"""Master flows, collection flows and the gaps a scan finds in them."""

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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models.base import Base, TenantMixin, TimestampMixin


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
        # Serves the Gaps page's table: per asset (walked in name order), in the page's order.
        Index("ix_gaps_flow_asset", "collection_flow_id", "asset_id", "priority", "field_name"),
        # Serves the Overview's resolution pace: the resolved gaps alone.
        Index(
            "ix_gaps_resolved_at",
            "collection_flow_id",
            "resolved_at",
            postgresql_where=text("resolved_at IS NOT NULL"),
            sqlite_where=text("resolved_at IS NOT NULL"),
        ),
        # Serves the Gaps page's facet counts from the index alone.
        Index(
            "ix_gaps_flow_facets",
            "collection_flow_id",
            "gap_category",
            "priority",
            "gap_type",
            "resolution_status",
        ),
    )
