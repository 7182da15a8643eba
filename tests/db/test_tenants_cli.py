"""python -m db clients / engagements / users list, activate, deactivate: from an empty
database to an admin who signs in and opens the engagement."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access.identity import authenticate, context_for, list_engagements
from core.kernel.errors import CollectionError
from db.models import AuditEvent, ClientAccount, Engagement
from db.session import create_db_engine
from tests.db.cli import run_cli
from tests.factories import on_accounts, sign_in_session

PASSWORD = "a long enough secret"


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """An upgraded, empty database where the commands made one client, engagement and admin
    (run as the shell runs them: `python -m db` processes, a password piped in)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('tenants') / 'empty.db'}"
    assert run_cli("upgrade", database_url=url, real_process=True).returncode == 0
    outputs = [
        run_cli("clients", "add", "Acme", database_url=url, real_process=True),
        run_cli(
            "engagements",
            "add",
            "Migration",
            "--client",
            "Acme",
            database_url=url,
            real_process=True,
        ),
        run_cli(
            "users",
            "add",
            "Admin@Acme.example",
            "--role",
            "admin",
            "--client",
            "Acme",
            "--engagement",
            "Migration",
            database_url=url,
            stdin=PASSWORD + "\n",
            real_process=True,
        ),
    ]
    for result in outputs:
        assert result.returncode == 0, result.stderr
    engine = create_db_engine(url)
    yield url, engine, [result.stdout for result in outputs]
    engine.dispose()


def test_an_admin_made_from_an_empty_database_signs_in_and_opens_the_engagement(started):
    _url, engine, outputs = started
    assert outputs[0].startswith("Created client 'Acme' (id ")
    assert outputs[1].startswith("Created engagement 'Migration' of 'Acme' (id ")
    assert "Created admin@acme.example: admin on Acme / Migration." in outputs[2]
    with Session(engine) as db:
        user = on_accounts(db, authenticate, "admin@acme.example", PASSWORD)
        (choice,) = on_accounts(db, list_engagements, user.user_id)
        assert (choice.client_name, choice.engagement_name, choice.role) == (
            "Acme",
            "Migration",
            "admin",
        )
        ctx = on_accounts(
            db,
            context_for,
            user.user_id,
            choice.client_account_id,
            choice.engagement_id,
            sign_in_session_id=sign_in_session(db, user.user_id),
        )
        assert ctx.role == "admin" and ctx.engagement_id == choice.engagement_id
        actions = db.scalars(select(AuditEvent.action)).all()
        assert {"client_added", "engagement_added", "membership_added"} <= set(actions)


def test_adding_again_reports_what_exists_and_duplicates_nothing(started):
    url, engine, outputs = started
    client_id = outputs[0].split("(id ")[1].split(")")[0]
    again = run_cli("clients", "add", " Acme ", database_url=url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"Client 'Acme' exists already (id {client_id})."
    by_id = run_cli("engagements", "add", "Migration", "--client", client_id, database_url=url)
    assert by_id.returncode == 0, by_id.stderr
    assert "exists already" in by_id.stdout
    with Session(engine) as db:
        assert len(db.scalars(select(ClientAccount)).all()) == 1
        assert len(db.scalars(select(Engagement)).all()) == 1
        assert db.scalars(select(AuditEvent.action)).all().count("client_added") == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("engagements", "add", "Pilot", "--client", "Nobody Inc"), "no client account"),
        (("engagements", "list", "--client", "Nobody Inc"), "no client account"),
        (("users", "list", "--client", "Nobody Inc"), "no client account"),
        (("users", "deactivate", "nobody@acme.example"), "no account 'nobody@acme.example'"),
        (("clients", "add", ""), "Client name is empty"),
        (("clients", "add", "x" * 201), "Client name is longer than 200 characters"),
        (("clients", "add", "Bad\x07Name"), "Client name holds an invisible control character"),
        (("engagements", "add", "  ", "--client", "Acme"), "Engagement name is empty"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_1(started, args, message):
    url, _engine, _outputs = started
    result = run_cli(*args, database_url=url)
    assert result.returncode == 1, result.stdout
    assert f"error: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_deactivating_stops_sign_in_and_activating_restores_it(started):
    url, engine, _outputs = started
    off = run_cli("users", "deactivate", "ADMIN@acme.example", database_url=url)
    assert off.returncode == 0 and off.stdout.strip() == "admin@acme.example is deactivated."
    listed = run_cli("users", "list", database_url=url)
    assert "admin@acme.example (deactivated): admin on Acme / Migration" in listed.stdout
    with Session(engine) as db, pytest.raises(CollectionError):
        on_accounts(db, authenticate, "admin@acme.example", PASSWORD)
    on = run_cli("users", "activate", "admin@acme.example", database_url=url)
    assert on.returncode == 0 and on.stdout.strip() == "admin@acme.example is active."
    again = run_cli("users", "activate", "admin@acme.example", database_url=url)
    assert again.stdout.strip() == "admin@acme.example is active already."
    with Session(engine) as db:
        assert on_accounts(db, authenticate, "admin@acme.example", PASSWORD).email
        actions = db.scalars(select(AuditEvent.action)).all()
        assert actions.count("account_deactivated") == 1 and actions.count("account_activated") == 1


def test_the_listings_name_what_exists(started):
    url, _engine, _outputs = started
    clients = run_cli("clients", "list", database_url=url).stdout
    assert clients.startswith("Acme (id ") and "1 engagement(s)" in clients
    engagements = run_cli("engagements", "list", "--client", "Acme", database_url=url).stdout
    assert (
        engagements.startswith("Acme / Migration (id ") and "1 engagement member(s)" in engagements
    )
    users = run_cli("users", "list", "--client", "Acme", database_url=url).stdout
    assert "admin@acme.example" in users and "admin on Acme / Migration" in users


def test_an_empty_database_lists_nothing_and_says_what_to_run(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    assert run_cli("upgrade", database_url=url).returncode == 0
    assert "python -m db clients add NAME" in run_cli("clients", "list", database_url=url).stdout
    assert "engagements add" in run_cli("engagements", "list", database_url=url).stdout
    assert run_cli("users", "list", database_url=url).stdout.strip() == "No accounts."
