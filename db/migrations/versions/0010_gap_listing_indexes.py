"""indexes for the Gaps page at size: a flow's gaps by asset, and its facet counts

Revision ID: 0010
Revises: 0009

The Gaps page walks the engagement's assets in name order (uq_assets_name) and fetches each
one's gaps of the flow in the page's order, stopping after one page: ix_gaps_flow_asset
serves that walk, and keyset paging continues it from the last row shown. The facet counts
group the flow's gaps by category, priority, type and status: ix_gaps_flow_facets holds
all four, so the count reads the index, not the table's 700,000 rows with their text.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        'ix_gaps_flow_asset',
        'collection_data_gaps',
        ['collection_flow_id', 'asset_id', 'priority', 'field_name'],
    )
    op.create_index(
        'ix_gaps_flow_facets',
        'collection_data_gaps',
        ['collection_flow_id', 'gap_category', 'priority', 'gap_type', 'resolution_status'],
    )


def downgrade() -> None:
    op.drop_index('ix_gaps_flow_facets', table_name='collection_data_gaps')
    op.drop_index('ix_gaps_flow_asset', table_name='collection_data_gaps')
