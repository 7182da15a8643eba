"""An engagement's assets, where each value came from, and saved import mappings."""

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
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TenantMixin, TimestampMixin
from db.types import utcnow


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
    # The import that last wrote the asset (file, row, who, when) and the catalogue attributes
    # it gave: their source, unless a row of asset_value_sources names another one. One set
    # of columns instead of a source row per value keeps a large import to a row per asset.
    import_file: Mapped[str | None] = mapped_column(String(255))
    import_row: Mapped[int | None] = mapped_column(Integer)
    imported_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    imported_at: Mapped[datetime | None]
    imported_fields: Mapped[list[Any] | None]
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


class AssetValueSource(TenantMixin, Base):
    """Where the current value of one attribute of an asset came from, and when, where that is
    not the asset's import origin (assets.import_file ..): a row here wins over it."""

    __tablename__ = "asset_value_sources"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    field_name: Mapped[str] = mapped_column(String(100))
    # import | answer | accepted_prediction
    source_kind: Mapped[str] = mapped_column(String(30))
    # "inventory.xlsx row 12", "questionnaire Web servers", the prediction's evidence
    source_detail: Mapped[str] = mapped_column(String(500), default="")
    # An imported value's file and row (1 is the header), for reading, filtering, exporting.
    source_file: Mapped[str | None] = mapped_column(String(255))
    source_row: Mapped[int | None] = mapped_column(Integer)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    confidence: Mapped[float | None] = mapped_column(Float)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    __table_args__ = (
        # One current source per value; every write is an upsert against it. Also serves
        # the asset view's and the export's reads of one asset's sources.
        UniqueConstraint("asset_id", "field_name", name="uq_asset_value_source"),
        CheckConstraint(
            "source_kind IN ('import', 'answer', 'accepted_prediction')",
            name="ck_asset_value_sources_kind",
        ),
        # Serves the tenant filter of row-level security and the engagement's export.
        Index("ix_asset_value_sources_tenant", "client_account_id", "engagement_id"),
    )


class ImportMapping(TenantMixin, TimestampMixin, Base):
    """A named column mapping of the Import page, offered again for the engagement's next file."""

    __tablename__ = "import_mappings"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    columns: Mapped[dict[str, Any]] = mapped_column(default=dict)  # header -> target
    units: Mapped[dict[str, Any]] = mapped_column(default=dict)  # header -> size unit
    row_key: Mapped[str | None] = mapped_column(String(200))
    # header -> {the file's value -> the value stored}; None for mappings saved before 0017
    value_translations: Mapped[dict[str, Any] | None] = mapped_column()
    __table_args__ = (
        # One mapping per name in an engagement; serves the Import page's list by name.
        UniqueConstraint(
            "client_account_id", "engagement_id", "name", name="uq_import_mappings_name"
        ),
    )
