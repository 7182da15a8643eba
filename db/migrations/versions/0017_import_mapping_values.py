"""value translations of a saved import mapping

Revision ID: 0017
Revises: 0010

A saved mapping may translate a column's values into the catalogue's choices as the file
writes them ("PRD" -> production, "HML" -> staging): per column header, the file's value ->
the value stored (core/inventory/mapping_choices.py). Empty (NULL) for the mappings saved before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0017"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("import_mappings", sa.Column("value_translations", db.types.JSONType))


def downgrade() -> None:
    op.drop_column("import_mappings", "value_translations")
