"""per-engagement source order of imports; import file and row of a value in columns

Revision ID: 0008
Revises: 0007

`engagements.import_precedence`: whether a later import keeps the values people gave
('answers', reporting a conflict) or replaces them ('newest_import', reporting what it
replaced). `asset_value_sources.source_file` / `source_row`: the file and row an imported
value came from, so nothing reads them back out of the detail text; filled from it here.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CHECK_ORDER = "import_precedence IN ('answers', 'newest_import')"


def upgrade() -> None:
    # Plain ADD/DROP COLUMN, never a batch copy: recreating `engagements` on SQLite would
    # drop the old table, and the cascade would delete everything of every engagement.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE engagements ADD COLUMN import_precedence VARCHAR(20) NOT NULL"
            " DEFAULT 'answers' CONSTRAINT ck_engagements_import_precedence"
            f" CHECK ({CHECK_ORDER})"
        )
    else:
        op.add_column(
            'engagements',
            sa.Column(
                'import_precedence', sa.String(length=20), nullable=False,
                server_default='answers',
            ),
        )  # fmt: skip
        op.create_check_constraint('ck_engagements_import_precedence', 'engagements', CHECK_ORDER)
    op.add_column('asset_value_sources', sa.Column('source_file', sa.String(length=255)))
    op.add_column('asset_value_sources', sa.Column('source_row', sa.Integer()))
    _fill_file_columns()


def _fill_file_columns() -> None:
    """Sources recorded before: "cmdb.csv row 12" -> ("cmdb.csv", 12)."""
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # the owner reads and writes every tenant's rows for this once
        op.execute("ALTER TABLE asset_value_sources NO FORCE ROW LEVEL SECURITY")
    rows = bind.execute(
        sa.text("SELECT id, source_detail FROM asset_value_sources WHERE source_kind = 'import'")
    ).all()
    filled = []
    for row_id, detail in rows:
        name, _, number = detail.rpartition(" row ")
        if name and number.isdigit():
            filled.append({"name": name[:255], "number": int(number), "id": row_id})
    if filled:
        bind.execute(
            sa.text(
                "UPDATE asset_value_sources SET source_file = :name, source_row = :number"
                " WHERE id = :id"
            ),
            filled,
        )
    if postgresql:
        op.execute("ALTER TABLE asset_value_sources FORCE ROW LEVEL SECURITY")


def downgrade() -> None:
    op.drop_column('asset_value_sources', 'source_row')
    op.drop_column('asset_value_sources', 'source_file')
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint('ck_engagements_import_precedence', 'engagements', type_='check')
    op.drop_column('engagements', 'import_precedence')
