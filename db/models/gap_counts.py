"""Gap counts kept with the gaps: what the Gaps page's facets and the Overview read."""

import uuid

from sqlalchemy import ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TenantMixin


class GapCount(TenantMixin, Base):
    """A change of a flow's gap count in one group (attribute, category, priority, type, status).

    Triggers on `collection_data_gaps` (migration 0011) add a row per group a statement changed,
    so writers of one flow never wait on each other's counts; a group's count is the sum of its
    rows, and `core.storage.gap_counts.fold` sums a flow's rows into one per group.
    """

    __tablename__ = "gap_counts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    field_name: Mapped[str] = mapped_column(String(100))
    gap_category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[int] = mapped_column(Integer)
    gap_type: Mapped[str] = mapped_column(String(30))
    resolution_status: Mapped[str] = mapped_column(String(20))
    gaps: Mapped[int] = mapped_column(Integer)  # signed: a change, summed per group
    __table_args__ = (
        # Serves the Gaps page's counts: one flow's rows.
        Index("ix_gap_counts_flow", "collection_flow_id"),
        # Serves the Overview: the engagement's rows.
        Index("ix_gap_counts_tenant", "client_account_id", "engagement_id"),
    )
