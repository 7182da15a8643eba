"""Alembic builds exactly the schema the models describe, on both dialects."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.models import Base

pytestmark = pytest.mark.both_backends


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_postgresql_gets_native_uuid_and_jsonb(postgresql_database_url):
    from sqlalchemy import create_engine, inspect

    engine = create_engine(postgresql_database_url)
    columns = {
        column["name"]: column for column in inspect(engine).get_columns("collection_data_gaps")
    }
    engine.dispose()
    assert str(columns["id"]["type"]) == "UUID"
    assert str(columns["ai_suggestions"]["type"]) == "JSONB"


def test_dropping_the_lock_columns_keeps_every_membership(tmp_path):
    """SQLite: recreating `users` to drop a column would cascade into its memberships."""
    from sqlalchemy import text

    from db.migrate import upgrade
    from db.session import create_db_engine

    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    upgrade(url, "0002")
    engine = create_db_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO client_accounts (id, name, created_at, updated_at)"
                " VALUES ('c1', 'Acme', '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (id, email, is_active, failed_sign_ins, created_at, updated_at)"
                " VALUES ('u1', 'dana@example.com', 1, 2, '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO memberships (id, user_id, client_account_id, role, created_at,"
                " updated_at) VALUES ('m1', 'u1', 'c1', 'admin', '2026-01-01', '2026-01-01')"
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM memberships")).scalar() == 1
    engine.dispose()


def test_the_source_order_column_keeps_every_engagement_and_fills_import_files(tmp_path):
    """SQLite: adding a column to `engagements` must not recreate it (its cascade would
    empty every engagement); sources imported before get their file and row."""
    from sqlalchemy import text

    from db.migrate import upgrade
    from db.session import create_db_engine

    url = f"sqlite:///{tmp_path / 'upgrade.db'}"
    upgrade(url, "0007")
    engine = create_db_engine(url)
    stamp = "'2026-01-01', '2026-01-01'"
    with engine.begin() as connection:
        for statement in (
            f"INSERT INTO client_accounts (id, name, created_at, updated_at) VALUES ('c1', 'Acme', {stamp})",
            f"INSERT INTO engagements (id, client_account_id, name, created_at, updated_at) VALUES ('e1', 'c1', 'Wave 1', {stamp})",
            "INSERT INTO assets (id, client_account_id, engagement_id, name, asset_type, custom_attributes, created_at, updated_at)"
            f" VALUES ('a1', 'c1', 'e1', 'web-01', 'server', '{{}}', {stamp})",
            "INSERT INTO asset_value_sources (id, asset_id, field_name, source_kind, source_detail, recorded_at, client_account_id, engagement_id)"
            " VALUES ('s1', 'a1', 'environment', 'import', 'cmdb row 7.csv row 12', '2026-01-01', 'c1', 'e1')",
        ):
            connection.execute(text(statement))
    upgrade(url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM assets")).scalar() == 1
        assert connection.execute(text("SELECT import_precedence FROM engagements")).all() == [
            ("answers",)
        ]
        assert connection.execute(
            text("SELECT source_file, source_row FROM asset_value_sources")
        ).all() == [("cmdb row 7.csv", 12)]
    engine.dispose()


def test_going_back_before_import_origins_writes_them_as_value_sources(tmp_path):
    """SQLite: an asset's import origin becomes a source row per value it gave, unless a row
    names that value's source already (an answer)."""
    from alembic import command
    from sqlalchemy import text

    from db.migrate import alembic_config, upgrade
    from db.session import create_db_engine

    url = f"sqlite:///{tmp_path / 'downgrade.db'}"
    # UUIDs as SQLite keeps them
    client, engagement, asset, source = (name.zfill(32) for name in ("c1", "e1", "a1", "51"))
    upgrade(url)
    engine = create_db_engine(url)
    stamp = "'2026-01-01', '2026-01-01'"
    with engine.begin() as connection:
        for statement in (
            f"INSERT INTO client_accounts (id, name, created_at, updated_at) VALUES ('{client}', 'Acme', {stamp})",
            f"INSERT INTO engagements (id, client_account_id, name, created_at, updated_at) VALUES ('{engagement}', '{client}', 'Wave 1', {stamp})",
            "INSERT INTO assets (id, client_account_id, engagement_id, name, asset_type, custom_attributes, created_at, updated_at,"
            " import_file, import_row, imported_at, imported_fields)"
            f" VALUES ('{asset}', '{client}', '{engagement}', 'web-01', 'server', '{{}}', {stamp}, 'cmdb.csv', 7, '2026-01-02', '[\"name\", \"environment\", \"business_owner\"]')",
            "INSERT INTO asset_value_sources (id, asset_id, field_name, source_kind, source_detail, recorded_at, client_account_id, engagement_id)"
            f" VALUES ('{source}', '{asset}', 'business_owner', 'answer', 'questionnaire',"
            f" '2026-01-03', '{client}', '{engagement}')",
        ):
            connection.execute(text(statement))
    command.downgrade(alembic_config(url), "0008")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT field_name, source_kind, source_detail, source_file, source_row"
                " FROM asset_value_sources ORDER BY field_name"
            )
        ).all()
    engine.dispose()
    assert rows == [
        ("business_owner", "answer", "questionnaire", None, None),
        ("environment", "import", "cmdb.csv row 7", "cmdb.csv", 7),
        ("name", "import", "cmdb.csv row 7", "cmdb.csv", 7),
    ]
