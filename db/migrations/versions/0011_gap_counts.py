"""gap_counts: a flow's gap counts kept with its gaps, by triggers on both dialects

Revision ID: 0011
Revises: 0010

The Gaps page's facet counts and the Overview counted every gap of a flow on every page run
(700,000 at 100,000 assets: 2-5 s). Triggers on `collection_data_gaps` now record, for each
write, the change of each group's count (attribute, category, priority, type, status) in
`gap_counts`, whatever wrote the gaps (a scan, an enhancement, a validation, a cascade), so the
counts stay exact. Rows are changes, never updated in place: writers of one flow (a scan, a job,
a validation) never wait on, or deadlock over, a shared count row. A read sums a flow's rows;
the bulk writers fold them into one row per group as they end (core.storage.gap_counts).

PostgreSQL: statement triggers over the transition tables, one grouped insert per statement (a
scan's batch of 5,000 gaps adds a few dozen rows). SQLite: row triggers (no transition tables).
Gaps of a flow being deleted are not counted: the flow's counts go with it (cascade).
A tenant table: row-level security like the others (0002).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUP = ("field_name", "gap_category", "priority", "gap_type", "resolution_status")
COUNTED = ("collection_flow_id", *GROUP)
CONDITION = (
    "gap_counts.client_account_id = NULLIF(current_setting('app.client_account_id', true), '')::uuid"
    " AND gap_counts.engagement_id = NULLIF(current_setting('app.engagement_id', true), '')::uuid"
)
INSERT_INTO = (
    "INSERT INTO gap_counts (id, client_account_id, engagement_id, "
    + ", ".join(COUNTED)
    + ", gaps)"
)


def _postgresql_function(name: str, changes: str) -> str:
    """A statement trigger's function: the statement's changes, summed per group (groups whose
    changes cancel out, as a rescan's unchanged gaps do, add nothing)."""
    counted = ", ".join(f"c.{column}" for column in COUNTED)
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {INSERT_INTO}
    SELECT gen_random_uuid(), f.client_account_id, f.engagement_id, {counted}, sum(c.change)
    FROM ({changes}) AS c JOIN collection_flows f ON f.id = c.collection_flow_id
    GROUP BY f.client_account_id, f.engagement_id, {counted}
    HAVING sum(c.change) <> 0;
    RETURN NULL;
END
$$
"""


def _rows(table: str, change: int) -> str:
    return f"SELECT {', '.join(COUNTED)}, {change} AS change FROM {table}"


POSTGRESQL_TRIGGERS = {
    # name: (event, transition tables, the statement's changes)
    "gap_counts_inserted": ("INSERT", "NEW TABLE AS added", _rows("added", 1)),
    "gap_counts_updated": (
        "UPDATE",
        "OLD TABLE AS removed NEW TABLE AS added",
        f"{_rows('added', 1)} UNION ALL {_rows('removed', -1)}",
    ),
    "gap_counts_deleted": ("DELETE", "OLD TABLE AS removed", _rows("removed", -1)),
}


def _sqlite_insert(row: str, change: int) -> str:
    values = ", ".join(f"{row}.{column}" for column in COUNTED)
    return (
        f"{INSERT_INTO} SELECT lower(hex(randomblob(16))), f.client_account_id, f.engagement_id,"
        f" {values}, {change} FROM collection_flows f WHERE f.id = {row}.collection_flow_id;"
    )


SQLITE_TRIGGERS = {
    "gap_counts_inserted": f"AFTER INSERT ON collection_data_gaps BEGIN {_sqlite_insert('NEW', 1)} END",
    "gap_counts_updated": (
        f"AFTER UPDATE OF {', '.join(COUNTED)} ON collection_data_gaps"
        f" WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in COUNTED)}"
        f" BEGIN {_sqlite_insert('OLD', -1)} {_sqlite_insert('NEW', 1)} END"
    ),
    "gap_counts_deleted": f"AFTER DELETE ON collection_data_gaps BEGIN {_sqlite_insert('OLD', -1)} END",
}

BACKFILL = (
    f"{INSERT_INTO} SELECT {{new_id}}, f.client_account_id, f.engagement_id,"
    f" {', '.join(f'g.{column}' for column in COUNTED)}, count(*)"
    " FROM collection_data_gaps g JOIN collection_flows f ON f.id = g.collection_flow_id"
    f" GROUP BY f.client_account_id, f.engagement_id, {', '.join(f'g.{c}' for c in COUNTED)}"
)


def upgrade() -> None:
    op.create_table(
        'gap_counts',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('collection_flow_id', sa.Uuid(), nullable=False),
        sa.Column('field_name', sa.String(length=100), nullable=False),
        sa.Column('gap_category', sa.String(length=30), nullable=False),
        sa.Column('priority', sa.Integer(), nullable=False),
        sa.Column('gap_type', sa.String(length=30), nullable=False),
        sa.Column('resolution_status', sa.String(length=20), nullable=False),
        sa.Column('gaps', sa.Integer(), nullable=False),
        sa.Column('client_account_id', sa.Uuid(), nullable=False),
        sa.Column('engagement_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['client_account_id'], ['client_accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(
            ['collection_flow_id'], ['collection_flows.id'], ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_gap_counts_flow', 'gap_counts', ['collection_flow_id'], unique=False)
    op.create_index(
        'ix_gap_counts_tenant', 'gap_counts', ['client_account_id', 'engagement_id'], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        # The owner counts every tenant's gaps once, as 0009 reads every tenant's assets.
        for table in ("collection_data_gaps", "collection_flows"):
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(BACKFILL.format(new_id="gen_random_uuid()"))
        for table in ("collection_data_gaps", "collection_flows"):
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        for name, (event, tables, changes) in POSTGRESQL_TRIGGERS.items():
            op.execute(_postgresql_function(name, changes))
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON collection_data_gaps"
                f" REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        op.execute("ALTER TABLE gap_counts ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE gap_counts FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON gap_counts USING ({CONDITION})"
            f" WITH CHECK ({CONDITION})"
        )
    else:
        op.execute(BACKFILL.format(new_id="lower(hex(randomblob(16)))"))
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name in POSTGRESQL_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON collection_data_gaps" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_index('ix_gap_counts_tenant', table_name='gap_counts')
    op.drop_index('ix_gap_counts_flow', table_name='gap_counts')
    op.drop_table('gap_counts')
