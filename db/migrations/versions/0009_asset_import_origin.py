"""the import that last wrote an asset, on the asset: file, row, who, when, which values

Revision ID: 0009
Revises: 0008

An import gave every value of a row from one file and row. Writing that once on the asset
(`assets.import_file`, `import_row`, `imported_by`, `imported_at`, and the catalogue
attributes it gave in `imported_fields`) instead of one `asset_value_sources` row per value
makes a 100,000-row import write 100,000 rows, not 800,000. A row of `asset_value_sources`
still names a value's source where it is another one (an answer, an accepted prediction,
another sheet of the file, an earlier import) and wins over the asset's import origin.
Sources recorded before stay as they are: they read the same.
"""
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy: recreating `assets` on SQLite would drop the old
    # table, and its cascade would delete every value source, gap and answer.
    op.add_column('assets', sa.Column('import_file', sa.String(length=255)))
    op.add_column('assets', sa.Column('import_row', sa.Integer()))
    op.add_column('assets', sa.Column('imported_by', sa.Uuid()))
    op.add_column('assets', sa.Column('imported_at', db.types.UTCDateTime()))
    op.add_column('assets', sa.Column('imported_fields', db.types.JSONType))


def downgrade() -> None:
    _write_origins_as_sources()
    for column in ('imported_fields', 'imported_at', 'imported_by', 'import_row', 'import_file'):
        op.drop_column('assets', column)


def _write_origins_as_sources() -> None:
    """Each value an asset's import origin names becomes an `asset_value_sources` row again,
    unless one names its source already."""
    bind = op.get_bind()
    postgresql = bind.dialect.name == "postgresql"
    if postgresql:  # the owner reads and writes every tenant's rows for this once
        for table in ("assets", "asset_value_sources"):
            op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    assets = bind.execute(
        sa.text(
            "SELECT id, client_account_id, engagement_id, import_file, import_row, imported_by,"
            " imported_at, imported_fields FROM assets WHERE import_file IS NOT NULL"
        ).columns(
            id=sa.Uuid(), client_account_id=sa.Uuid(), engagement_id=sa.Uuid(),
            imported_by=sa.Uuid(), imported_at=db.types.UTCDateTime(),
            imported_fields=db.types.JSONType,
        )  # fmt: skip
    ).all()
    named = {
        (asset_id, field)
        for asset_id, field in bind.execute(
            sa.text("SELECT asset_id, field_name FROM asset_value_sources").columns(
                asset_id=sa.Uuid(), field_name=sa.String()
            )
        )
    }
    rows = []
    for asset in assets:
        for field in asset.imported_fields or []:
            if (asset.id, field) in named:
                continue
            rows.append(
                {
                    "id": uuid.uuid4(), "asset": asset.id, "client": asset.client_account_id,
                    "engagement": asset.engagement_id, "field": field,
                    "detail": f"{asset.import_file} row {asset.import_row}"[:500],
                    "file": asset.import_file, "row": asset.import_row,
                    "by": asset.imported_by, "at": asset.imported_at,
                }
            )  # fmt: skip
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO asset_value_sources (id, asset_id, client_account_id, engagement_id,"
                " field_name, source_kind, source_detail, source_file, source_row, recorded_by,"
                " recorded_at) VALUES (:id, :asset, :client, :engagement, :field, 'import',"
                " :detail, :file, :row, :by, :at)"
            ).bindparams(
                sa.bindparam("id", type_=sa.Uuid()),
                sa.bindparam("asset", type_=sa.Uuid()),
                sa.bindparam("client", type_=sa.Uuid()),
                sa.bindparam("engagement", type_=sa.Uuid()),
                sa.bindparam("by", type_=sa.Uuid()),
                sa.bindparam("at", type_=db.types.UTCDateTime()),
            ),
            rows,
        )
    if postgresql:
        for table in ("assets", "asset_value_sources"):
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
