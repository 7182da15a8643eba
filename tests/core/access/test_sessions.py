"""Staying signed in: a signed token for a session row, ended by sign out, a new password,
a deactivation or time; a forged or stale token is no session."""

import os
import stat
import time
import uuid
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import update

from core.access import session_tokens
from core.access.accounts import set_active
from core.access.credentials import set_password
from core.access.identity import list_engagements
from core.access.passwords import hash_password
from core.access.sessions import (
    end_session,
    remember_engagement,
    restore_session,
    start_session,
)
from db.models import Membership, SignInSession, User
from db.settings import Settings, get_settings
from db.types import utcnow
from tests.factories import on_accounts

pytestmark = pytest.mark.both_backends

SECRET = "s" * 40


@pytest.fixture
def secret(monkeypatch):
    monkeypatch.setenv("SESSION_SECRET", SECRET)
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def dana(db, tenant) -> User:
    user = User(email="dana@example.com", password_hash=hash_password("a long enough secret"))
    db.add(user)
    db.flush()
    db.add(
        Membership(
            user_id=user.id,
            client_account_id=tenant.client_account_id,
            engagement_id=tenant.engagement_id,
            role="analyst",
        )
    )
    db.commit()
    return user


def test_a_token_restores_its_person_and_the_engagement_last_opened(db, secret, dana):
    started = on_accounts(db, start_session, dana.id, "password")
    assert started.expires_at - utcnow() == pytest.approx(timedelta(hours=12), abs=timedelta(60))
    restored = on_accounts(db, restore_session, started.token)
    assert restored.user.user_id == dana.id and restored.engagement is None

    (choice,) = on_accounts(db, list_engagements, dana.id)
    on_accounts(db, remember_engagement, started.token, choice)
    assert on_accounts(db, restore_session, started.token).engagement == choice
    db.query(Membership).delete()  # the membership removed since: no engagement reopened
    db.commit()
    assert on_accounts(db, restore_session, started.token).engagement is None


@pytest.mark.parametrize(
    ("end", "every_session_ends"),
    [
        (lambda db, user, token: on_accounts(db, end_session, token), False),
        (
            lambda db, user, token: on_accounts(db, set_password, user.email, "another secret!"),
            True,
        ),
        (lambda db, user, token: on_accounts(db, set_active, user.email, False), True),
    ],
    ids=["sign out", "new password", "deactivation"],
)
def test_sign_out_a_new_password_and_deactivation_end_sessions(
    db, secret, dana, end, every_session_ends
):
    started = on_accounts(db, start_session, dana.id, "password")
    other_tab = on_accounts(db, start_session, dana.id, "oidc")
    end(db, dana, started.token)
    assert on_accounts(db, restore_session, started.token) is None
    on_accounts(db, set_active, dana.email, True)  # active again: still signed out
    assert on_accounts(db, restore_session, started.token) is None
    assert (on_accounts(db, restore_session, other_tab.token) is None) == every_session_ends


class SignedThirteenHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 13 * 3600


def test_an_expired_session_or_a_token_older_than_session_hours_is_no_session(db, secret, dana):
    started = on_accounts(db, start_session, dana.id, "password")
    session_id = session_tokens.read(started.token, secret)
    old = URLSafeTimedSerializer(SECRET, salt=session_tokens.SALT, signer=SignedThirteenHoursAgo)
    assert on_accounts(db, restore_session, old.dumps({"session": str(session_id)})) is None
    assert on_accounts(db, restore_session, started.token) is not None
    db.execute(update(SignInSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert on_accounts(db, restore_session, started.token) is None


@pytest.mark.parametrize(
    "token",
    [
        None,
        "",
        "garbage",
        "x" * 10_000,
        URLSafeTimedSerializer("another secret of forty characters....", salt="x").dumps("a"),
        URLSafeTimedSerializer(SECRET, salt=session_tokens.SALT).dumps({"session": "not-a-uuid"}),
        URLSafeTimedSerializer(SECRET, salt=session_tokens.SALT).dumps(["list"]),
        URLSafeTimedSerializer(SECRET, salt=session_tokens.SALT).dumps(
            {"session": str(uuid.uuid4())}
        ),  # genuine, but no such session
    ],
)
def test_forged_or_malformed_tokens_restore_nobody(db, secret, dana, token):
    on_accounts(db, start_session, dana.id, "password")
    assert on_accounts(db, restore_session, token) is None


def test_a_token_signed_with_another_secret_is_refused(db, secret, dana, monkeypatch):
    started = on_accounts(db, start_session, dana.id, "password")
    monkeypatch.setenv("SESSION_SECRET", "t" * 40)
    get_settings.cache_clear()
    assert on_accounts(db, restore_session, started.token) is None


def test_without_a_configured_secret_one_is_generated_once_and_kept_private(tmp_path):
    path = tmp_path / "var" / "session_secret"
    settings = Settings(session_secret=None, session_secret_path=str(path))
    first = session_tokens.session_secret(settings)
    assert len(first) >= 32 and session_tokens.session_secret(settings) == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(path.parent) == ["session_secret"]  # no temporary file left behind
    token = session_tokens.sign(uuid.uuid4(), settings)
    assert session_tokens.read(token, settings) is not None
