"""named import mappings per engagement, under row-level security like every tenant table

Revision ID: 0005
Revises: 0004

The Import page saves a file's corrected column mapping (targets, units, the row key) under a
name, and offers it again for the engagement's next file (core/inventory/saved_mappings.py).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
TENANT = (
    "import_mappings.client_account_id"
    " = NULLIF(current_setting('app.client_account_id', true), '')::uuid"
    " AND import_mappings.engagement_id"
    " = NULLIF(current_setting('app.engagement_id', true), '')::uuid"
)


def upgrade() -> None:
    op.create_table(
        'import_mappings',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('columns', JSON, nullable=False),
        sa.Column('units', JSON, nullable=False),
        sa.Column('row_key', sa.String(length=200), nullable=True),
        sa.Column('client_account_id', sa.Uuid(), nullable=False),
        sa.Column('engagement_id', sa.Uuid(), nullable=False),
        sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_account_id'], ['client_accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint(
            'client_account_id', 'engagement_id', 'name', name='uq_import_mappings_name'
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE import_mappings FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON import_mappings USING ({TENANT})"
            f" WITH CHECK ({TENANT})"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON import_mappings")
    op.drop_table('import_mappings')
