"""Questionnaire generation refreshes the planner's statistics of `questionnaires`.

The answer grid joins every open question of a flow to its questionnaire and asset: planned for
the empty table the statistics last saw, one page run over 5,000 questions takes 40 s instead of
one. analyze_after_bulk_write (0010) now takes `questionnaires` too.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _function(tables: tuple[str, ...]) -> str:
    allowed = ", ".join(f"'{table}'" for table in tables)
    return f"""
CREATE OR REPLACE FUNCTION analyze_after_bulk_write(target text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF target NOT IN ({allowed}) THEN
        RAISE EXCEPTION 'no statistics refresh for table %', target;
    END IF;
    EXECUTE format('ANALYZE %I', target);
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(("assets", "collection_data_gaps", "questionnaires")))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_function(("assets", "collection_data_gaps")))
