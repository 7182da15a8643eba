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


def upgrade() -> None:
    with op.batch_alter_table('engagements') as batch:
        batch.add_column(
            sa.Column(
                'import_precedence', sa.String(length=20), nullable=False,
                server_default='answers',
            )
        )  # fmt: skip
        batch.create_check_constraint(
            'ck_engagements_import_precedence',
            "import_precedence IN ('answers', 'newest_import')",
        )
    with op.batch_alter_table('asset_value_sources') as batch:
        batch.add_column(sa.Column('source_file', sa.String(length=255), nullable=True))
        batch.add_column(sa.Column('source_row', sa.Integer(), nullable=True))
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
    with op.batch_alter_table('asset_value_sources') as batch:
        batch.drop_column('source_row')
        batch.drop_column('source_file')
    with op.batch_alter_table('engagements') as batch:
        batch.drop_constraint('ck_engagements_import_precedence', type_='check')
        batch.drop_column('import_precedence')
