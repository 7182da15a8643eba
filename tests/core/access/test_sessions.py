"""Staying signed in: a signed token for a session row, ended by sign out, a new password,
a deactivation or time; a forged or stale token is no session."""

import os
import stat
import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import update

from config.settings import Settings, get_settings
from core.access import session_tokens
from core.access.accounts import set_active
from core.access.credentials import set_password
from core.access.identity import context_for, list_engagements
from core.access.passwords import hash_password
from core.access.sessions import (
    end_session,
    remember_engagement,
    restore_session,
    start_session,
)
from core.kernel.permissions import Action, SignedOut
from core.storage.account_unit_of_work import account_uow
from db.models import Membership, SignInSession, User
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
    ids=[
        "none",
        "empty",
        "garbage",
        "ten thousand characters",
        "signed with another secret",
        "a session that is no uuid",
        "a list",
        "no such session",
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


def signed_in_on_engagement(db, tenant):
    """The context a person opens an engagement with, and their cookie's token."""
    started = on_accounts(db, start_session, tenant.user_id, "password")
    ctx = on_accounts(
        db,
        context_for,
        tenant.user_id,
        tenant.client_account_id,
        tenant.engagement_id,
        sign_in_session_id=started.session_id,
    )
    return ctx, started.token


def acts(uow_of, ctx) -> None:
    with uow_of(ctx) as uow:
        uow.require(Action.CREATE_FLOW)


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(lambda db, email, token: end_session(db, token), id="sign_out_in_another_tab"),
        pytest.param(
            lambda db, email, token: set_password(db, email, "a new password 42"),
            id="new_password",
        ),
        pytest.param(
            lambda db, email, token: (set_active(db, email, False), set_active(db, email, True)),
            id="deactivated_then_activated",
        ),
    ],
)
def test_an_open_tab_is_signed_out_at_its_next_action(db, uow_of, secret, tenant, end):
    ctx, token = signed_in_on_engagement(db, tenant)
    acts(uow_of, ctx)
    email = db.get(User, tenant.user_id).email
    with account_uow(db) as uow:
        end(uow, email, token)
    with pytest.raises(SignedOut) as refused:
        acts(uow_of, ctx)  # the tab's context, unchanged since it was opened
    assert refused.value.status == 403
    assert refused.value.message == "You were signed out; sign in again"
    with pytest.raises(SignedOut):  # nor can the tab open another engagement
        on_accounts(
            db,
            context_for,
            ctx.user_id,
            ctx.client_account_id,
            ctx.engagement_id,
            sign_in_session_id=ctx.sign_in_session_id,
        )


def test_an_expired_or_missing_or_someone_elses_session_acts_for_nobody(
    db, uow_of, secret, tenant, make_member
):
    ctx, _token = signed_in_on_engagement(db, tenant)
    db.execute(
        update(SignInSession)
        .where(SignInSession.id == ctx.sign_in_session_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.commit()
    other = make_member(tenant)
    for unsigned in (
        ctx,  # expired
        replace(ctx, sign_in_session_id=None),
        replace(ctx, sign_in_session_id=uuid.uuid4()),
        replace(ctx, sign_in_session_id=other.sign_in_session_id),  # another person's
    ):
        with pytest.raises(SignedOut):
            acts(uow_of, unsigned)
    acts(uow_of, other)
