"""python -m db users unlock / set-password, and one exit code for every refusal."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access.identity import SignInFailed, authenticate
from core.access.sign_in_throttle import SignInThrottled
from db.models import AuditEvent
from db.session import create_db_engine
from tests.db.cli import run_cli
from tests.factories import on_accounts

PASSWORD = "a long enough secret"
OFFICE = "198.51.100.20"


@pytest.fixture(scope="module")
def account(tmp_path_factory):
    """An empty database where the commands made a client and one analyst."""
    url = f"sqlite:///{tmp_path_factory.mktemp('recovery') / 'accounts.db'}"
    for args, stdin in (
        (("upgrade",), ""),
        (("clients", "add", "Acme"), ""),
        (("users", "add", "dana@acme.example", "--role", "analyst", "--client", "Acme"), PASSWORD),
    ):
        result = run_cli(*args, database_url=url, stdin=stdin + "\n")
        assert result.returncode == 0, result.stderr
    engine = create_db_engine(url)
    yield url, engine
    engine.dispose()


def actions(engine) -> list[str]:
    with Session(engine) as db:
        return list(db.scalars(select(AuditEvent.action)))


def test_unlock_lets_a_blocked_person_sign_in_again(account, monkeypatch):
    url, engine = account
    monkeypatch.setenv("DATABASE_URL", url)
    with Session(engine) as db:
        for attempt in range(5):  # the default five free failures
            with pytest.raises(SignInFailed):
                on_accounts(db, authenticate, "dana@acme.example", f"wrong {attempt}", OFFICE)
        with pytest.raises(SignInThrottled):
            on_accounts(db, authenticate, "dana@acme.example", PASSWORD, OFFICE)

    result = run_cli("users", "unlock", "Dana@Acme.example", database_url=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "dana@acme.example is unlocked: failed sign-ins from 1 address(es) forgotten."
    )
    with Session(engine) as db:
        assert on_accounts(db, authenticate, "dana@acme.example", PASSWORD, OFFICE).email
    again = run_cli("users", "unlock", "dana@acme.example", database_url=url)
    assert again.stdout.strip() == "dana@acme.example had no failed sign-ins to forget."
    assert actions(engine).count("account_unlocked") == 2


def test_set_password_reads_stdin_and_the_old_password_stops_working(account):
    url, engine = account
    new = "another long passphrase"
    result = run_cli("users", "set-password", "dana@acme.example", database_url=url, stdin=new)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "dana@acme.example has a new password."
    assert new not in result.stdout + result.stderr
    with Session(engine) as db:
        assert on_accounts(db, authenticate, "dana@acme.example", new).email
        with pytest.raises(SignInFailed):
            on_accounts(db, authenticate, "dana@acme.example", PASSWORD)
    assert "password_set" in actions(engine)
    back = run_cli("users", "set-password", "dana@acme.example", database_url=url, stdin=PASSWORD)
    assert back.returncode == 0, back.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("users", "set-password", "dana@acme.example"), "short\n", "password must hold 12"),
        (("users", "set-password", "dana@acme.example"), "", "password must hold 12"),
        (("users", "set-password", "nobody@acme.example"), PASSWORD, "no account 'nobody@"),
        (("users", "unlock", "nobody@acme.example"), "", "no account 'nobody@acme.example'"),
        (("users", "unlock", "not an email"), "", "email must look like name@domain"),
        (("users", "add", "x@acme.example", "--role", "boss", "--client", "Acme"), "", "Role"),
        (
            ("users", "add", "x@acme.example", "--client", "Acme"),
            "",
            "the following arguments are required: --role",
        ),
        (("users", "frobnicate"), "", "invalid choice: 'frobnicate'"),
        (("engagements", "add", "Pilot", "--client", "Nobody"), "", "no client account"),
    ],
)
def test_every_refusal_is_one_sentence_and_exit_code_1(account, args, stdin, message):
    url, engine = account
    before = actions(engine)
    result = run_cli(*args, database_url=url, stdin=stdin)
    assert result.returncode == 1, result.stdout
    sentence = result.stderr.splitlines()[-1]
    assert sentence.startswith("error: ") and message in sentence
    assert "Traceback" not in result.stderr
    assert actions(engine) == before
    with Session(engine) as db:
        assert on_accounts(db, authenticate, "dana@acme.example", PASSWORD).email
