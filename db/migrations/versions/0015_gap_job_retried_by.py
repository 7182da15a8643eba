"""who last retried a gap job, on its history row

Revision ID: 0015
Revises: 0010

A gap job's row names who submitted it; a retry (after a failure, a stall, or its worker
going offline) is often an admin's. `gap_jobs.retried_by` names who retried it last, so the
Jobs views say "by Dana, retried by Ada". Jobs retried before keep it empty.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("gap_jobs", sa.Column("retried_by", sa.Uuid()))


def downgrade() -> None:
    op.drop_column("gap_jobs", "retried_by")
