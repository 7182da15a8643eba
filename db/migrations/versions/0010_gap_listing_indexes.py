"""indexes for the Gaps page at size: a flow's gaps by asset, and its facet counts

Revision ID: 0010
Revises: 0009

The Gaps page walks the engagement's assets in name order (uq_assets_name) and fetches each
one's gaps of the flow in the page's order, stopping after one page: ix_gaps_flow_asset
serves that walk, and keyset paging continues it from the last row shown. The facet counts
group the flow's gaps by category, priority, type and status: ix_gaps_flow_facets holds
all four, so the count reads the index, not the table's 700,000 rows with their text.
The Overview's resolution pace reads the resolved gaps only: ix_gaps_resolved_at holds those.
The Overview's resolution pace reads the resolved gaps only: ix_gaps_resolved_at holds those.

analyze_after_bulk_write(table): a bulk write (an import, a gap scan) refreshes the planner's
statistics of the table it filled as it ends, so the next page is planned for 100,000 rows,
not for the empty table the statistics last saw (autovacuum may be off, or a minute late).
ANALYZE needs the tables' owner: the function runs as its owner, for these two tables only.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


ANALYZED_TABLES = ("assets", "collection_data_gaps")
ANALYZE_FUNCTION = f"""
CREATE OR REPLACE FUNCTION analyze_after_bulk_write(target text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF target NOT IN ({", ".join(f"'{table}'" for table in ANALYZED_TABLES)}) THEN
        RAISE EXCEPTION 'no statistics refresh for table %', target;
    END IF;
    EXECUTE format('ANALYZE %I', target);
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ANALYZE_FUNCTION)
    op.create_index(
        "ix_gaps_flow_asset",
        "collection_data_gaps",
        ["collection_flow_id", "asset_id", "priority", "field_name"],
    )
    op.create_index(
        "ix_gaps_resolved_at",
        "collection_data_gaps",
        ["collection_flow_id", "resolved_at"],
        postgresql_where=sa.text("resolved_at IS NOT NULL"),
        sqlite_where=sa.text("resolved_at IS NOT NULL"),
    )
    op.create_index(
        "ix_gaps_flow_facets",
        "collection_data_gaps",
        ["collection_flow_id", "gap_category", "priority", "gap_type", "resolution_status"],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS analyze_after_bulk_write(text)")
    op.drop_index("ix_gaps_flow_facets", table_name="collection_data_gaps")
    op.drop_index("ix_gaps_resolved_at", table_name="collection_data_gaps")
    op.drop_index("ix_gaps_flow_asset", table_name="collection_data_gaps")
