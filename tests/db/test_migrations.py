"""Alembic builds exactly the schema the models describe, on both dialects."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.models import Base


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
