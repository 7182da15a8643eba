"""gap_job_attempts: every try of a gap job, the failed and stalled ones kept

Revision ID: 0019
Revises: 0018

A gap job's row (0006) sums up the job; a retry used to overwrite what the try before it
did. Each try now has its row: who started it (the submitter, then each retrier), when it
was queued, started and ended, how it ended (failed, stalled, worker offline, ...), what it
processed and failed, its errors and its worker. Jobs written before keep one try each, their
last (numbered after their retries), with the job's figures. A tenant table under row-level
security (0002).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "NULLIF(current_setting('app.client_account_id', true), '')::uuid"
ENGAGEMENT = "NULLIF(current_setting('app.engagement_id', true), '')::uuid"
CONDITION = f"client_account_id = {CLIENT} AND engagement_id = {ENGAGEMENT}"

BACKFILL = (
    "INSERT INTO gap_job_attempts (id, gap_job_id, number, started_by, queued_at, started_at,"
    " ended_at, status, total, processed, failed, errors, worker, client_account_id,"
    " engagement_id)"
    " SELECT id, id, retries + 1, COALESCE(retried_by, submitted_by), submitted_at, started_at,"
    " finished_at, status, total, processed, failed, errors, NULL, client_account_id,"
    " engagement_id FROM gap_jobs"
)


def upgrade() -> None:
    op.create_table(
        "gap_job_attempts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gap_job_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.Uuid(), nullable=True),
        sa.Column("queued_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("errors", db.types.JSONType, nullable=False),
        sa.Column("worker", sa.String(length=255), nullable=True),
        sa.Column("client_account_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed', 'stalled',"
            " 'worker offline', 'reset')",
            name="ck_gap_job_attempts_status",
        ),
        sa.ForeignKeyConstraint(["client_account_id"], ["client_accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["gap_job_id"], ["gap_jobs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gap_job_id", "number", name="uq_gap_job_attempts_number"),
    )
    if op.get_bind().dialect.name != "postgresql":
        op.execute(BACKFILL)
        return
    # The owner reads every tenant's jobs once, as 0011 counts every tenant's gaps.
    op.execute("ALTER TABLE gap_jobs NO FORCE ROW LEVEL SECURITY")
    op.execute(BACKFILL)
    op.execute("ALTER TABLE gap_jobs FORCE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE gap_job_attempts ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE gap_job_attempts FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON gap_job_attempts USING ({CONDITION})"
        f" WITH CHECK ({CONDITION})"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS tenant_isolation ON gap_job_attempts")
    op.drop_table("gap_job_attempts")
