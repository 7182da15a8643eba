"""row-level security on every tenant table (PostgreSQL; nothing on SQLite)

Revision ID: 0002
Revises: 0001

Each transaction of the application sets app.client_account_id and app.engagement_id
(db.session.bind_tenant); a row is visible and writable only when its tenant matches.
Unset or empty settings match nothing. FORCE makes the policies bind the tables' owner
too; only superusers and BYPASSRLS roles pass them.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLIENT = "NULLIF(current_setting('app.client_account_id', true), '')::uuid"
ENGAGEMENT = "NULLIF(current_setting('app.engagement_id', true), '')::uuid"


def tenant_of(alias: str) -> str:
    return f"{alias}.client_account_id = {CLIENT} AND {alias}.engagement_id = {ENGAGEMENT}"


# table -> the condition a row must meet (rows without tenant ids are reached through a flow)
POLICIES = {
    "assets": tenant_of("assets"),
    "master_flows": tenant_of("master_flows"),
    "collection_flows": tenant_of("collection_flows"),
    "audit_events": tenant_of("audit_events"),
    "collection_data_gaps": (
        "EXISTS (SELECT 1 FROM collection_flows f"
        f" WHERE f.id = collection_data_gaps.collection_flow_id AND {tenant_of('f')})"
    ),
    "questionnaires": (
        "EXISTS (SELECT 1 FROM collection_flows f"
        f" WHERE f.id = questionnaires.collection_flow_id AND {tenant_of('f')})"
    ),
    "questionnaire_responses": (
        "EXISTS (SELECT 1 FROM questionnaires q JOIN collection_flows f"
        " ON f.id = q.collection_flow_id"
        f" WHERE q.id = questionnaire_responses.questionnaire_id AND {tenant_of('f')})"
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, condition in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING ({condition}) WITH CHECK ({condition})"
        )
    # Sign-ins happen before a tenant is chosen: such account events may be written (never
    # read) without tenant ids. Policies of one command are OR-ed, so this adds only that.
    op.execute(
        "CREATE POLICY account_events_insert ON audit_events FOR INSERT"
        " WITH CHECK (client_account_id IS NULL AND engagement_id IS NULL)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP POLICY IF EXISTS account_events_insert ON audit_events")
    for table in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
