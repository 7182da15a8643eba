"""sign-in throttling per (email, address) and per address, instead of locking accounts

Revision ID: 0003
Revises: 0002

Locking an account after failures let anyone lock anyone out, and answered faster than a
wrong password, which told which emails have accounts. The counts move to their own table
(core/access/sign_in_throttle.py); the users' lock columns go.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sign_in_throttles',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('blocked_until', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('last_attempt_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index(
        'ix_sign_in_throttles_last_attempt', 'sign_in_throttles', ['last_attempt_at'], unique=False
    )
    # A plain DROP COLUMN (SQLite 3.35+), not a batch copy: recreating `users` on SQLite
    # would drop the old table, and the cascade would delete every membership with it.
    op.drop_column('users', 'locked_until')
    op.drop_column('users', 'failed_sign_ins')


def downgrade() -> None:
    op.add_column(
        'users', sa.Column('failed_sign_ins', sa.Integer(), nullable=False, server_default='0')
    )
    op.add_column(
        'users', sa.Column('locked_until', db.types.UTCDateTime(timezone=True), nullable=True)
    )
    op.drop_index('ix_sign_in_throttles_last_attempt', table_name='sign_in_throttles')
    op.drop_table('sign_in_throttles')
