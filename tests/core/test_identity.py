"""Local sign-in with Argon2, lockout after failures, memberships and the context they give."""

import logging
import time
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from core.errors import BadRequest, Forbidden, RateLimited
from core.identity import (
    SignInFailed,
    authenticate,
    context_for,
    list_engagements,
    sign_in_oidc,
)
from core.passwords import hash_password, verify_password
from db.models import AuditEvent, Engagement, Membership, User
from db.settings import get_settings

PASSWORD = "correct horse battery staple"


@pytest.fixture
def lock_window(monkeypatch):
    """Three failures lock an account for one second (so the test need not wait long)."""
    monkeypatch.setenv("SIGN_IN_MAX_FAILURES", "3")
    monkeypatch.setenv("SIGN_IN_LOCK_SECONDS", "1")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def account_events(db, owner_engine):
    """Sign-in events carry no tenant: the application may write them, only the owner reads."""

    def read(action: str) -> list[AuditEvent]:
        db.commit()  # SQLite: let go of the write lock the test's session holds
        with Session(owner_engine) as owner:
            query = select(AuditEvent).where(AuditEvent.action == action)
            return list(owner.scalars(query.order_by(AuditEvent.occurred_at)))

    return read


@pytest.fixture
def make_user(db):
    def make(email="dana@example.com", password=PASSWORD, memberships=(), active=True) -> User:
        user = User(
            email=email,
            display_name="Dana",
            password_hash=hash_password(password) if password else None,
            is_active=active,
        )
        db.add(user)
        db.flush()
        for client_account_id, engagement_id, role in memberships:
            db.add(
                Membership(
                    user_id=user.id,
                    client_account_id=client_account_id,
                    engagement_id=engagement_id,
                    role=role,
                )
            )
        db.commit()
        return user

    return make


def test_hashes_are_argon2_and_salted():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert verify_password(first, PASSWORD) and not verify_password(first, PASSWORD + "!")
    assert not verify_password(None, PASSWORD) and not verify_password("garbage", PASSWORD)


def test_a_short_password_is_not_stored():
    with pytest.raises(BadRequest) as raised:
        hash_password("short")
    assert raised.value.field == "password"


def test_the_right_password_signs_in_and_is_audited(db, make_user, account_events):
    user = make_user(email="dana@example.com")
    signed_in = authenticate(db, "  Dana@Example.com ", PASSWORD)
    assert (signed_in.user_id, signed_in.email, signed_in.display_name) == (
        user.id,
        "dana@example.com",
        "Dana",
    )
    [event] = account_events("signed_in")
    assert event.user_id == user.id and event.client_account_id is None
    assert event.details == {"method": "password"}
    db.refresh(user)
    assert user.last_sign_in_at is not None and user.failed_sign_ins == 0


def test_unknown_email_and_wrong_password_get_the_same_answer(db, make_user):
    make_user()
    messages = set()
    for email, password in (("nobody@example.com", PASSWORD), ("dana@example.com", "wrong")):
        with pytest.raises(SignInFailed) as raised:
            authenticate(db, email, password)
        assert raised.value.status == 403
        messages.add(raised.value.message)
    assert messages == {"Wrong email or password"}


def test_a_disabled_account_or_one_without_password_cannot_sign_in(db, make_user):
    make_user(email="gone@example.com", active=False)
    make_user(email="sso@example.com", password=None)
    for email in ("gone@example.com", "sso@example.com"):
        with pytest.raises(SignInFailed):
            authenticate(db, email, PASSWORD)


def test_failures_are_counted_locked_and_the_window_passes(
    db, make_user, lock_window, caplog, account_events
):
    user = make_user()
    caplog.set_level(logging.INFO, logger="core.identity")
    for attempt in range(1, 4):
        with pytest.raises(SignInFailed):
            authenticate(db, user.email, f"wrong password {attempt}")
        db.refresh(user)
        assert user.failed_sign_ins == attempt
    assert user.locked_until is not None
    # Locked: even the right password is refused, with how long to wait.
    with pytest.raises(RateLimited) as raised:
        authenticate(db, user.email, PASSWORD)
    assert raised.value.status == 429 and 0 < raised.value.retry_after_seconds <= 1
    time.sleep(1.05)
    assert authenticate(db, user.email, PASSWORD).user_id == user.id
    db.refresh(user)
    assert user.failed_sign_ins == 0 and user.locked_until is None

    failures = account_events("sign_in_failed")
    assert [event.details["failures_in_a_row"] for event in failures] == [1, 2, 3]
    assert [event.details["locked"] for event in failures] == [False, False, True]
    logged = caplog.text + str([event.details for event in failures])
    assert "wrong password" not in logged and PASSWORD not in logged
    assert "sign-in failed for dana@example.com (3 in a row, locked)" in caplog.text


def test_after_the_lock_one_more_failure_locks_again(db, make_user, lock_window):
    user = make_user()
    for _ in range(3):
        with pytest.raises(SignInFailed):
            authenticate(db, user.email, "wrong password")
    time.sleep(1.05)
    with pytest.raises(SignInFailed):
        authenticate(db, user.email, "wrong password")
    with pytest.raises(RateLimited):
        authenticate(db, user.email, PASSWORD)


def test_audit_details_refuse_secrets(db, tenant):
    with pytest.raises(ValueError, match="password"):
        audit.record(db, tenant, "oops", new_password="x")


def test_oidc_signs_in_an_existing_active_user_only(db, make_user, account_events):
    user = make_user(email="kai@example.com", password=None)
    assert sign_in_oidc(db, "KAI@example.com", "Kai Chen").user_id == user.id
    with pytest.raises(Forbidden):
        sign_in_oidc(db, "stranger@example.com", "Stranger")
    [event] = account_events("signed_in")
    assert event.details == {"method": "oidc"}


@pytest.mark.parametrize("invisible", ["\u202e", "\u200e", "\u2066", "\u200b", "\u00ad"])
def test_an_email_with_an_invisible_character_is_refused_not_taken_for_another(
    db, make_user, invisible
):
    # "kai<mark>@example.com" is not kai@example.com: an identity provider vouching for the
    # first must not sign in the second, so the email is refused rather than cleaned.
    make_user(email="kai@example.com", password=None)
    with pytest.raises(BadRequest, match="email"):
        sign_in_oidc(db, f"kai{invisible}@example.com", "Kai")
    with pytest.raises(BadRequest, match="email"):
        authenticate(db, f"kai{invisible}@example.com", PASSWORD)


def test_memberships_give_engagements_and_roles(db, make_user, make_tenant):
    first = make_tenant(name="Alpha Bank")
    second = make_tenant(name="Beta Air")
    wave_2 = Engagement(client_account_id=first.client_account_id, name="Wave 2")
    db.add(wave_2)
    db.commit()
    user = make_user(
        memberships=[
            (first.client_account_id, None, "manager"),  # every engagement of Alpha Bank
            (first.client_account_id, wave_2.id, "admin"),  # stronger on one of them
            (second.client_account_id, second.engagement_id, "analyst"),
        ]
    )
    choices = list_engagements(db, str(user.id))
    assert [(c.client_name, c.engagement_name, c.role) for c in choices] == [
        ("Alpha Bank", "Wave 1", "manager"),
        ("Alpha Bank", "Wave 2", "admin"),
        ("Beta Air", "Wave 1", "analyst"),
    ]
    ctx = context_for(db, user.id, str(first.client_account_id), str(wave_2.id))
    assert (ctx.engagement_id, ctx.role, ctx.user_id) == (wave_2.id, "admin", user.id)


def test_context_for_refuses_an_engagement_without_membership(db, make_user, make_tenant):
    mine, other = make_tenant(), make_tenant()
    user = make_user(memberships=[(mine.client_account_id, mine.engagement_id, "admin")])
    with pytest.raises(Forbidden):
        context_for(db, user.id, other.client_account_id, other.engagement_id)
    # An engagement id of another client, paired with my client, is refused too.
    with pytest.raises(Forbidden):
        context_for(db, user.id, mine.client_account_id, other.engagement_id)
    with pytest.raises(Forbidden):
        context_for(db, uuid.uuid4(), mine.client_account_id, mine.engagement_id)
    with pytest.raises(BadRequest) as raised:
        context_for(db, user.id, "nope", mine.engagement_id)
    assert raised.value.field == "client_account_id"


def test_a_disabled_user_has_no_engagements(db, make_user, tenant):
    user = make_user(active=False, memberships=[(tenant.client_account_id, None, "admin")])
    assert list_engagements(db, user.id) == []
