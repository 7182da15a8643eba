"""requests to owners, and owners assigned to questions by hand

Revision ID: 0013
Revises: 0010

owner_requests: one per owner and flow (the questions last mailed, the link's nonce and expiry,
delivery, reminders, escalation); question_assignments: the owner a person gave to a question
whose asset names none reachable. Both are tenant tables under row-level security (0002).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "NULLIF(current_setting('app.client_account_id', true), '')::uuid"
ENGAGEMENT = "NULLIF(current_setting('app.engagement_id', true), '')::uuid"
CONDITION = f"client_account_id = {CLIENT} AND engagement_id = {ENGAGEMENT}"
TABLES = ("owner_requests", "question_assignments")


def _tenant_columns() -> list[sa.Column]:
    return [
        sa.Column("client_account_id", sa.Uuid(), nullable=False),
        sa.Column("engagement_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
    ]


def _tenant_keys() -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(["client_account_id"], ["client_accounts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["engagement_id"], ["engagements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["collection_flow_id"], ["collection_flows.id"], ondelete="CASCADE"
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "owner_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("collection_flow_id", sa.Uuid(), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=False),
        sa.Column("owner_name", sa.String(length=255), nullable=True),
        sa.Column("question_ids", db.types.JSONType, nullable=False),
        sa.Column("link_nonce", sa.String(length=64), nullable=False),
        sa.Column("link_expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("link_opened_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("delivery_status", sa.String(length=20), nullable=False),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("queued_kind", sa.String(length=20), nullable=False),
        sa.Column("first_mailed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_mailed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("mails_sent", sa.Integer(), nullable=False),
        sa.Column("escalated_at", db.types.UTCDateTime(timezone=True), nullable=True),
        *_tenant_columns(),
        *_tenant_keys(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_flow_id", "owner_email", name="uq_owner_request"),
    )
    op.create_index(
        "ix_owner_requests_tenant", "owner_requests", ["client_account_id", "engagement_id"]
    )
    op.create_table(
        "question_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("collection_flow_id", sa.Uuid(), nullable=False),
        sa.Column("gap_id", sa.Uuid(), nullable=False),
        sa.Column("owner_email", sa.String(length=320), nullable=False),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        *_tenant_columns(),
        *_tenant_keys(),
        sa.ForeignKeyConstraint(["gap_id"], ["collection_data_gaps.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gap_id", name="uq_question_assignment"),
    )
    op.create_index("ix_question_assignments_flow", "question_assignments", ["collection_flow_id"])
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY tenant_isolation ON {table}"
                f" USING ({CONDITION}) WITH CHECK ({CONDITION})"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.drop_index("ix_question_assignments_flow", table_name="question_assignments")
    op.drop_table("question_assignments")
    op.drop_index("ix_owner_requests_tenant", table_name="owner_requests")
    op.drop_table("owner_requests")
