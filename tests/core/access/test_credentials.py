"""An operator's recovery of an account: unlocking it, giving it a new password."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from config.settings import get_settings
from core.access.credentials import set_password, unlock
from core.access.identity import SignInFailed, authenticate
from core.access.passwords import hash_password
from core.access.sign_in_throttle import SignInThrottled
from core.kernel.errors import BadRequest, NotFound
from db.models import AuditEvent, SignInThrottle, User
from tests.factories import on_accounts

pytestmark = pytest.mark.both_backends

PASSWORD = "correct horse battery staple"
ATTACKER, OFFICE = "203.0.113.7", "198.51.100.20"  # documentation ranges (RFC 5737)


@pytest.fixture
def dana(db, monkeypatch) -> User:
    """An account that two failures from one address block (waits of 30 s)."""
    monkeypatch.setenv("SIGN_IN_FREE_FAILURES", "2")
    get_settings.cache_clear()
    user = User(email="dana@example.com", password_hash=hash_password(PASSWORD))
    db.add(user)
    db.commit()
    yield user
    monkeypatch.undo()
    get_settings.cache_clear()


def fail_until_blocked(db, email: str, source: str) -> None:
    for attempt in range(2):
        with pytest.raises(SignInFailed):
            on_accounts(db, authenticate, email, f"wrong password {attempt}", source)
    with pytest.raises(SignInThrottled):
        on_accounts(db, authenticate, email, PASSWORD, source)


def events(owner_engine, db, action: str) -> list[AuditEvent]:
    db.commit()  # SQLite: let go of the write lock the test's session holds
    with Session(owner_engine) as owner:
        return list(owner.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_unlocking_forgets_the_failures_of_that_email_from_every_address(db, dana, owner_engine):
    fail_until_blocked(db, "dana@example.com", ATTACKER)
    fail_until_blocked(db, "dana@example.com", OFFICE)
    fail_until_blocked(db, "lee@example.com", OFFICE)  # no account: someone else's counts

    user, cleared = on_accounts(db, unlock, "Dana@Example.com")

    assert (user.id, cleared) == (dana.id, 2)
    assert on_accounts(db, authenticate, "dana@example.com", PASSWORD, OFFICE).user_id == dana.id
    assert on_accounts(db, authenticate, "dana@example.com", PASSWORD, ATTACKER).user_id == dana.id
    with pytest.raises(SignInThrottled):
        on_accounts(db, authenticate, "lee@example.com", PASSWORD, OFFICE)
    (event,) = events(owner_engine, db, "account_unlocked")
    assert event.user_id == dana.id and event.details == {"addresses_cleared": 2}


def test_unlocking_an_account_without_failures_clears_nothing(db, dana):
    assert on_accounts(db, unlock, "dana@example.com")[1] == 0
    assert db.scalars(select(SignInThrottle)).all() == []


def test_a_new_password_replaces_the_old_one_and_is_audited(db, dana, owner_engine):
    on_accounts(db, set_password, "dana@example.com", "a brand new passphrase")
    with pytest.raises(SignInFailed):
        on_accounts(db, authenticate, "dana@example.com", PASSWORD)
    assert on_accounts(db, authenticate, "dana@example.com", "a brand new passphrase").email
    (event,) = events(owner_engine, db, "password_set")
    assert event.user_id == dana.id and event.details == {}


def test_a_weak_password_or_an_unknown_account_changes_nothing(db, dana):
    with pytest.raises(BadRequest, match="password must hold 12"):
        on_accounts(db, set_password, "dana@example.com", "short")
    with pytest.raises(NotFound, match="no account 'nobody@example.com'"):
        on_accounts(db, set_password, "nobody@example.com", "a brand new passphrase")
    with pytest.raises(NotFound):
        on_accounts(db, unlock, "nobody@example.com")
    assert on_accounts(db, authenticate, "dana@example.com", PASSWORD).email
