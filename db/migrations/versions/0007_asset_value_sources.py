"""where each asset value came from: import row, answer, accepted prediction

Revision ID: 0007
Revises: 0006

One row per (asset, attribute) with the current value's source, who and when; a tenant
table under row-level security like the others (0002).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "NULLIF(current_setting('app.client_account_id', true), '')::uuid"
ENGAGEMENT = "NULLIF(current_setting('app.engagement_id', true), '')::uuid"
CONDITION = f"client_account_id = {CLIENT} AND engagement_id = {ENGAGEMENT}"


def upgrade() -> None:
    op.create_table(
        'asset_value_sources',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('asset_id', sa.Uuid(), nullable=False),
        sa.Column('field_name', sa.String(length=100), nullable=False),
        sa.Column('source_kind', sa.String(length=30), nullable=False),
        sa.Column('source_detail', sa.String(length=500), nullable=False),
        sa.Column('recorded_by', sa.Uuid(), nullable=True),
        sa.Column('confidence', sa.Float(), nullable=True),
        sa.Column('recorded_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('client_account_id', sa.Uuid(), nullable=False),
        sa.Column('engagement_id', sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "source_kind IN ('import', 'answer', 'accepted_prediction')",
            name='ck_asset_value_sources_kind',
        ),
        sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['client_account_id'], ['client_accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('asset_id', 'field_name', name='uq_asset_value_source'),
    )
    op.create_index(
        'ix_asset_value_sources_tenant',
        'asset_value_sources',
        ['client_account_id', 'engagement_id'],
        unique=False,
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE asset_value_sources ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE asset_value_sources FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY tenant_isolation ON asset_value_sources"
            f" USING ({CONDITION}) WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON asset_value_sources")
    op.drop_index('ix_asset_value_sources_tenant', table_name='asset_value_sources')
    op.drop_table('asset_value_sources')
