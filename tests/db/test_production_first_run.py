"""`python -m db upgrade` on a database owned by a plain role, as an operator runs it first.

The owner may create tables but not roles (no superuser, no CREATEROLE). Upgrade then needs
the application role to exist already; when it does not, the command says what to run in one
sentence, without the role's password, and changes nothing.
"""

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest

from tests.conftest import PG_SERVER
from tests.db.cli import run_cli

pytestmark = pytest.mark.skipif(
    "postgresql" not in os.environ.get("TEST_BACKENDS", "postgresql"),
    reason="needs PostgreSQL",
)


@dataclass(frozen=True)
class FirstRun:
    database: str
    owner: str
    app: str
    app_password: str

    def url(self, role: str, password: str) -> str:
        server = PG_SERVER.replace("postgresql://", "postgresql+psycopg://").split("@", 1)[1]
        return f"postgresql+psycopg://{role}:{password}@{server}/{self.database}"

    def environment(self) -> dict[str, str]:
        return {
            "MIGRATION_DATABASE_URL": self.url(self.owner, "owner-password-1"),
            "DATABASE_URL": self.url(self.app, self.app_password),
        }

    def cli(self, *args: str):
        environment = self.environment()
        return run_cli(
            *args, database_url=environment["DATABASE_URL"], env=environment, real_process=True
        )


def as_superuser(statement: str, database: str = "postgres") -> list[tuple]:
    with psycopg.connect(f"{PG_SERVER}/{database}", autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def first_run() -> Iterator[FirstRun]:
    suffix = f"{os.getpid()}_{secrets.token_hex(3)}"
    run = FirstRun(
        database=f"collection_first_run_{suffix}",
        owner=f"collection_owner_{suffix}",
        app=f"collection_app_{suffix}",
        app_password=f"app-{secrets.token_hex(12)}",
    )
    try:
        as_superuser(
            f"CREATE ROLE {run.owner} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB"
            " PASSWORD 'owner-password-1'"
        )
        as_superuser(f"CREATE DATABASE {run.database} OWNER {run.owner}")
        yield run
    finally:
        as_superuser(f"DROP DATABASE IF EXISTS {run.database} WITH (FORCE)")
        as_superuser(f"DROP ROLE IF EXISTS {run.app}")
        as_superuser(f"DROP ROLE IF EXISTS {run.owner}")


def test_a_missing_app_role_is_one_sentence_saying_what_to_run_and_nothing_changes(first_run):
    done = first_run.cli("upgrade")

    assert done.returncode == 2
    output = done.stdout + done.stderr
    assert first_run.app_password not in output
    assert "Traceback" not in output
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"error: Role {first_run.app} (DATABASE_URL) does not exist")
    assert f'CREATE ROLE "{first_run.app}" LOGIN' in done.stderr
    assert "PASSWORD '<the password of DATABASE_URL>'" in done.stderr
    assert as_superuser("SELECT to_regclass('alembic_version')", first_run.database) == [(None,)]


def test_verbose_details_keep_the_password_out(first_run):
    done = first_run.cli("upgrade", "--verbose")

    assert done.returncode == 2
    assert "Traceback" in done.stderr
    assert first_run.app_password not in done.stdout + done.stderr
    assert done.stderr.splitlines()[-1].startswith(f"error: Role {first_run.app} ")


def test_with_the_app_role_created_beforehand_upgrade_only_grants_and_succeeds(first_run):
    as_superuser(f"CREATE ROLE {first_run.app} LOGIN PASSWORD '{first_run.app_password}'")

    done = first_run.cli("upgrade")

    assert done.returncode == 0, done.stderr
    assert f"Role {first_run.app} may read and write rows" in done.stdout
    assert first_run.app_password not in done.stdout + done.stderr
    # The application role now works the rows, and owns nothing.
    added = first_run.cli("clients", "add", "Acme")
    assert added.returncode == 0, added.stderr
    assert as_superuser(
        f"SELECT count(*) FROM pg_tables WHERE tableowner = '{first_run.app}'", first_run.database
    ) == [(0,)]


def test_upgrade_as_the_app_role_is_refused_in_one_sentence_naming_the_owner(first_run):
    as_superuser(f"CREATE ROLE {first_run.app} LOGIN PASSWORD '{first_run.app_password}'")
    app_url = first_run.environment()["DATABASE_URL"]

    done = run_cli(
        "upgrade", database_url=app_url, env={"MIGRATION_DATABASE_URL": ""}, real_process=True
    )

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: The database refused a privilege: permission denied")
    assert "MIGRATION_DATABASE_URL" in done.stderr
    assert first_run.app_password not in done.stdout + done.stderr


def test_an_app_role_that_does_not_exist_yet_cannot_connect_in_one_sentence(first_run):
    done = first_run.cli("clients", "list")

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: Cannot use the database: ")
    assert f'role "{first_run.app}" does not exist' in done.stderr
    assert first_run.app_password not in done.stdout + done.stderr
