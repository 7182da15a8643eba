"""Alembic builds exactly the schema the models describe, on both dialects."""

import os
import secrets
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from db.models import Base
from tests.conftest import PG_SERVER
from tests.db.test_production_first_run import as_superuser

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


@pytest.fixture
def database_owned_by_a_plain_role(tmp_path, request) -> Iterator[str]:
    """An empty database, on SQLite or on PostgreSQL owned by a role that row-level security
    binds (no superuser), as an operator's owner may be."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'upgrade.db'}"
        return
    suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
    owner, database = f"collection_owner_{suffix}", f"collection_tries_{suffix}"
    as_superuser(f"CREATE ROLE {owner} LOGIN NOSUPERUSER PASSWORD 'owner-password-1'")
    try:
        as_superuser(f"CREATE DATABASE {database} OWNER {owner}")
        server = PG_SERVER.replace("postgresql://", "").split("@", 1)[1]
        yield f"postgresql+psycopg://{owner}:owner-password-1@{server}/{database}"
    finally:
        as_superuser(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        as_superuser(f"DROP ROLE IF EXISTS {owner}")


@pytest.mark.parametrize("database_owned_by_a_plain_role", ["sqlite", "postgresql"], indirect=True)
def test_gap_jobs_from_before_keep_their_last_try(database_owned_by_a_plain_role):
    """Each job written before its tries were kept becomes one try: its last, numbered after
    its retries, started by its last retrier (else its submitter), with the job's figures."""
    from alembic import command
    from sqlalchemy import inspect, select
    from sqlalchemy.orm import Session

    from db.migrate import alembic_config, upgrade
    from db.models import (
        ClientAccount,
        CollectionFlow,
        Engagement,
        GapJob,
        GapJobAttempt,
        MasterFlow,
    )
    from db.session import bind_tenant, create_db_engine
    from db.types import utcnow

    url = database_owned_by_a_plain_role
    upgrade(url, "0018")
    engine = create_db_engine(url)
    dana, ada = uuid.uuid4(), uuid.uuid4()
    with Session(engine) as db:
        client = ClientAccount(name="Acme")
        db.add(client)
        db.flush()
        engagement = Engagement(client_account_id=client.id, name="Wave 1")
        db.add(engagement)
        db.commit()
        tenant = {"client_account_id": client.id, "engagement_id": engagement.id}
        bind_tenant(db, client.id, engagement.id)
        master = MasterFlow(
            flow_type="collection", flow_name="Wave", flow_status="running", **tenant
        )
        db.add(master)
        db.flush()
        flow = CollectionFlow(
            flow_id=master.flow_id,
            master_flow_id=master.flow_id,
            flow_name="Wave",
            automation_tier="tier_2",
            status="running",
            current_phase="gap_analysis",
            **tenant,
        )
        db.add(flow)
        db.flush()
        jobs = {
            "once": GapJob(submitted_by=dana, retries=0, status="completed", processed=3),
            "twice retried": GapJob(
                submitted_by=dana,
                retried_by=ada,
                retries=2,
                status="failed",
                processed=1,
                failed=1,
                errors=["srv-1 / environment: the agent timed out"],
            ),
        }
        for job in jobs.values():
            job.id, job.collection_flow_id, job.submitted_at = uuid.uuid4(), flow.id, utcnow()
            job.total, job.running_seconds = 3, 1.0
            job.client_account_id, job.engagement_id = client.id, engagement.id
            db.add(job)
        db.commit()
        ids = {name: job.id for name, job in jobs.items()}
        tenant_ids = (client.id, engagement.id)

    upgrade(url)
    with Session(engine) as db:
        bind_tenant(db, *tenant_ids)
        tries = {row.gap_job_id: row for row in db.scalars(select(GapJobAttempt))}
    engine.dispose()
    once, twice = tries[ids["once"]], tries[ids["twice retried"]]
    assert (once.id, once.number, once.started_by, once.status) == (
        ids["once"],
        1,
        dana,
        "completed",
    )
    assert (once.processed, once.total, once.failed, once.errors) == (3, 3, 0, [])
    assert (twice.number, twice.started_by, twice.status) == (3, ada, "failed")
    assert (twice.processed, twice.failed) == (1, 1)
    assert twice.errors == ["srv-1 / environment: the agent timed out"]

    # Going back leaves the jobs as they were, without their tries.
    command.downgrade(alembic_config(url), "0018")
    engine = create_db_engine(url)
    assert "gap_job_attempts" not in inspect(engine).get_table_names()
    with Session(engine) as db:
        bind_tenant(db, *tenant_ids)
        assert set(db.scalars(select(GapJob.id))) == set(ids.values())
    engine.dispose()
