"""Every failure of `python -m db` is one sentence on stderr, with no secret, and exit code 2
(1 stays for input the command refused)."""

import pytest
from pydantic import ValidationError

from cli.errors import configured_secrets, exit_code_and_sentence, mask
from config.settings import Settings
from core.kernel.errors import NotFound
from tests.db.cli import run_cli

SECRET = "a-secret-that-must-not-show"


def one_sentence(stderr: str) -> str:
    assert stderr.count("\n") == 1 and stderr.startswith("error: "), stderr
    return stderr


def test_a_database_that_cannot_be_reached_is_one_sentence_without_its_password(tmp_path):
    url = f"postgresql+psycopg://collection_app:{SECRET}@127.0.0.1:1/collection"
    done = run_cli("clients", "list", database_url=url)

    assert done.returncode == 2
    assert one_sentence(done.stderr).startswith("error: Cannot use the database: ")
    assert SECRET not in done.stdout + done.stderr


def test_a_database_url_of_an_unknown_kind_is_one_sentence_without_its_password():
    done = run_cli("upgrade", database_url=f"postgres://owner:{SECRET}@127.0.0.1/collection")

    assert done.returncode == 2
    assert one_sentence(done.stderr).startswith("error: A database URL is not valid")
    assert SECRET not in done.stdout + done.stderr


def test_an_invalid_setting_is_named_without_its_value(tmp_path):
    url = f"sqlite:///{tmp_path / 'collection.db'}"
    done = run_cli("clients", "list", database_url=url, env={"SESSION_SECRET": SECRET[:20]})

    assert done.returncode == 2
    assert one_sentence(done.stderr).startswith("error: A setting is not valid (SESSION_SECRET: ")
    assert SECRET[:20] not in done.stdout + done.stderr


def test_input_the_command_refuses_keeps_exit_code_1(tmp_path):
    url = f"sqlite:///{tmp_path / 'collection.db'}"
    assert run_cli("upgrade", database_url=url).returncode == 0

    done = run_cli("engagements", "add", "Wave 1", "--client", "Nobody", database_url=url)

    assert done.returncode == 1
    one_sentence(done.stderr)


def test_sql_and_url_passwords_are_masked_but_a_placeholder_is_kept():
    text = (
        "CREATE ROLE app LOGIN PASSWORD 'it''s secret' at postgresql://app:pw%40x@db/collection;"
        " run CREATE ROLE app PASSWORD '<the password of DATABASE_URL>'"
    )
    masked = mask(text, secrets=())
    assert "it''s secret" not in masked and "pw%40x" not in masked
    assert "PASSWORD '***'" in masked and "postgresql://app:***@db/collection" in masked
    assert "PASSWORD '<the password of DATABASE_URL>'" in masked


def test_the_configurations_secrets_are_masked_wherever_they_appear():
    environ = {
        "DATABASE_URL": "postgresql+psycopg://app:p%40ss@db/collection",
        "SESSION_SECRET": SECRET,
        "SMTP_PASSWORD": "mail-password",
    }
    secrets = configured_secrets(environ)
    assert {"p%40ss", "p@ss", SECRET, "mail-password"} <= secrets
    assert mask(f"user app with p@ss and {SECRET}", secrets) == "user app with *** and ***"


def test_a_refused_input_is_its_own_message_with_exit_code_1():
    assert exit_code_and_sentence(NotFound("No client named 'Nobody'")) == (
        1,
        "No client named 'Nobody'",
    )


def test_a_settings_error_never_carries_the_value():
    with pytest.raises(ValidationError) as raised:
        Settings(session_secret=SECRET[:20])
    code, sentence = exit_code_and_sentence(raised.value)
    assert code == 2 and SECRET[:20] not in sentence and "SESSION_SECRET" in sentence


def test_anything_else_is_one_sentence_pointing_at_verbose():
    code, sentence = exit_code_and_sentence(RuntimeError(f"boom with {SECRET}"))
    assert code == 2
    assert sentence == (
        "The command failed unexpectedly (RuntimeError); run it again with --verbose for the"
        " details."
    )
