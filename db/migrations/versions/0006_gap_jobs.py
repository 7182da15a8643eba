"""gap_jobs: every gap job and its retries, kept after its job key expires

Revision ID: 0006
Revises: 0005

The job key holds a job's live progress and expires an hour after its last write; this
table keeps who submitted what, when, how fast it went and how it ended. A tenant table:
row-level security like the others (0002).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONDITION = (
    "gap_jobs.client_account_id = NULLIF(current_setting('app.client_account_id', true), '')::uuid"
    " AND gap_jobs.engagement_id = NULLIF(current_setting('app.engagement_id', true), '')::uuid"
)


def upgrade() -> None:
    op.create_table(
        'gap_jobs',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('collection_flow_id', sa.Uuid(), nullable=False),
        sa.Column('submitted_by', sa.Uuid(), nullable=True),
        sa.Column('submitted_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('started_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('finished_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('total', sa.Integer(), nullable=False),
        sa.Column('processed', sa.Integer(), nullable=False),
        sa.Column('failed', sa.Integer(), nullable=False),
        sa.Column('retries', sa.Integer(), nullable=False),
        sa.Column('running_seconds', sa.Float(), nullable=False),
        sa.Column(
            'errors',
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False,
        ),
        sa.Column('client_account_id', sa.Uuid(), nullable=False),
        sa.Column('engagement_id', sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed', 'reset')",
            name='ck_gap_jobs_status',
        ),
        sa.ForeignKeyConstraint(['client_account_id'], ['client_accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['collection_flow_id'], ['collection_flows.id'], ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_gap_jobs_tenant_time',
        'gap_jobs',
        ['client_account_id', 'engagement_id', 'submitted_at'],
        unique=False,
    )
    op.create_index(
        'ix_gap_jobs_flow', 'gap_jobs', ['collection_flow_id', 'submitted_at'], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE gap_jobs ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE gap_jobs FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON gap_jobs USING ({CONDITION})"
            f" WITH CHECK ({CONDITION})"
        )


def downgrade() -> None:
    op.drop_index('ix_gap_jobs_flow', table_name='gap_jobs')
    op.drop_index('ix_gap_jobs_tenant_time', table_name='gap_jobs')
    op.drop_table('gap_jobs')
