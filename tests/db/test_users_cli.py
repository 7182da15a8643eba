"""python -m db users add, and the demo accounts the seed prints once."""

import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access.identity import authenticate, list_engagements
from db.models import AuditEvent, User
from db.session import create_db_engine
from tests.db.cli import run_cli
from tests.factories import on_accounts


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'users.db'}"
    result = run_cli("seed", "--demo", "--assets", "40", database_url=url)
    assert result.returncode == 0, result.stderr
    engine = create_db_engine(url)
    yield url, engine, result.stdout
    engine.dispose()


def test_the_demo_prints_one_working_password_per_role(seeded):
    _url, engine, output = seeded
    found = re.findall(r"demo (\w+): (\S+@demo\.local)\s+password: (\S+)", output)
    assert {role for role, _email, _password in found} == {"analyst", "manager", "admin"}
    assert len({password for _role, _email, password in found}) == 3
    with Session(engine) as db:
        for role, email, password in found:
            user = on_accounts(db, authenticate, email, password)
            assert {choice.role for choice in on_accounts(db, list_engagements, user.user_id)} == {
                role
            }
            stored = db.scalars(select(User.password_hash).where(User.email == email)).one()
            assert stored.startswith("$argon2id$")


def test_users_add_reads_the_password_from_stdin(seeded):
    url, engine, _output = seeded
    result = run_cli(
        "users",
        "add",
        "Priya@Example.com",
        "--role",
        "analyst",
        "--client",
        "Contoso Retail",
        "--engagement",
        "ERP Modernization",
        database_url=url,
        stdin="a long enough secret\n",
    )
    assert result.returncode == 0, result.stderr
    assert "Created priya@example.com: analyst on Contoso Retail / ERP Modernization" in (
        result.stdout
    )
    assert "a long enough secret" not in result.stdout + result.stderr
    with Session(engine) as db:
        user = on_accounts(db, authenticate, "priya@example.com", "a long enough secret")
        choices = on_accounts(db, list_engagements, user.user_id)
        assert [(c.engagement_name, c.role) for c in choices] == [("ERP Modernization", "analyst")]
        details = db.scalars(
            select(AuditEvent.details).where(AuditEvent.action == "membership_added")
        ).all()
        assert details and all("secret" not in str(item) for item in details)

    again = run_cli(
        "users",
        "add",
        "priya@example.com",
        "--role",
        "manager",
        "--client",
        "Contoso Retail",
        database_url=url,
    )
    assert again.returncode == 0, again.stderr
    assert "Updated priya@example.com: manager on Contoso Retail / all engagements" in again.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("--client", "Nobody Inc"), "a long enough secret\n", "no client account 'Nobody Inc'"),
        (("--client", "Contoso Retail", "--engagement", "Nope"), "x" * 20, "no engagement"),
        (("--client", "Contoso Retail"), "short\n", "password must hold 12"),
        (("--client", "Contoso Retail", "--name", "Dana\x07"), "x" * 20, "Display name holds"),
        (("--client", "x" * 201), "x" * 20, "Client is longer than 200 characters"),
    ],
)
def test_users_add_refuses_with_a_clear_message(seeded, args, stdin, message):
    url, _engine, _output = seeded
    result = run_cli(
        "users", "add", "new@example.com", "--role", "admin", *args, database_url=url, stdin=stdin
    )
    assert result.returncode == 1 and message in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("users", "add", "a@example.com", "--role", "boss", "--client", "Contoso Retail"), "Role"),
        (("seed", "--demo", "--assets", "lots"), "Assets per engagement must be a whole number"),
        (
            (
                "export",
                "nope",
                "--what",
                "gaps",
                "--out",
                "-",
                "--client",
                "C",
                "--engagement",
                "E",
            ),
            "Flow id must be a UUID",
        ),
    ],
)
def test_arguments_are_checked_before_anything_is_read_or_written(seeded, args, message):
    url, _engine, _output = seeded
    result = run_cli(*args, database_url=url)
    assert result.returncode == 1 and f"error: {message}" in result.stderr
