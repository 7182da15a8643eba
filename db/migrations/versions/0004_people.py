"""accounts an operator can recover: one email's sign-in counts found to unlock them

Revision ID: 0004
Revises: 0003

Counts of sign-in failures are kept per (email, source address) under a hash of both, so
the email's own hash goes beside them: `python -m db users unlock EMAIL` clears that
email's counts from every address. Counts written before this revision have none and are
forgotten as before (SIGN_IN_FORGET_AFTER_SECONDS).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('sign_in_throttles', sa.Column('email_key', sa.String(length=64), nullable=True))
    op.create_index(
        'ix_sign_in_throttles_email', 'sign_in_throttles', ['email_key'], unique=False
    )


def downgrade() -> None:
    op.drop_index('ix_sign_in_throttles_email', table_name='sign_in_throttles')
    op.drop_column('sign_in_throttles', 'email_key')
