"""accounts an operator can recover, and sign-ins kept across reloads

Revision ID: 0004
Revises: 0003

Counts of sign-in failures are kept per (email, source address) under a hash of both, so
the email's own hash goes beside them: `python -m db users unlock EMAIL` clears that
email's counts from every address. Counts written before this revision have none and are
forgotten as before (SIGN_IN_FORGET_AFTER_SECONDS).

`sign_in_sessions` holds one row per sign-in a browser keeps (core/access/sessions.py): an
account table like `users`, outside row-level security. An engagement gets `archived_at`:
archived, it is read-only and in no picker, and nothing of it is deleted.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'sign_in_sessions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('client_account_id', sa.Uuid(), nullable=True),
        sa.Column('engagement_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['client_account_id'], ['client_accounts.id'], ondelete='SET NULL'
        ),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sign_in_sessions_user', 'sign_in_sessions', ['user_id'], unique=False)
    op.add_column(
        'engagements',
        sa.Column('archived_at', db.types.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column('sign_in_throttles', sa.Column('email_key', sa.String(length=64), nullable=True))
    op.create_index(
        'ix_sign_in_throttles_email', 'sign_in_throttles', ['email_key'], unique=False
    )


def downgrade() -> None:
    op.drop_column('engagements', 'archived_at')
    op.drop_index('ix_sign_in_sessions_user', table_name='sign_in_sessions')
    op.drop_table('sign_in_sessions')
    op.drop_index('ix_sign_in_throttles_email', table_name='sign_in_throttles')
    op.drop_column('sign_in_throttles', 'email_key')
