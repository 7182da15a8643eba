"""Local sign-in with Argon2, lockout after failures, memberships and the context they give."""

import logging
import re
import threading
import uuid
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config.settings import get_settings
from core.access import audit
from core.access.identity import (
    SignInFailed,
    authenticate,
    context_for,
    list_engagements,
    sign_in_oidc,
)
from core.access.passwords import hash_password, verify_password
from core.kernel.errors import BadRequest, Forbidden, RateLimited
from db.models import AuditEvent, Engagement, Membership, SignInThrottle, User
from db.types import utcnow
from tests.conftest import PRODUCT_DUMMY_HASH, PRODUCT_HASHER
from tests.factories import on_accounts, sign_in_session

pytestmark = pytest.mark.both_backends

PASSWORD = "correct horse battery staple"


@pytest.fixture
def throttle(monkeypatch):
    """Three free failures per email and address, five per address; waits of 30 s, 60 s..."""
    monkeypatch.setenv("SIGN_IN_FREE_FAILURES", "3")
    monkeypatch.setenv("SIGN_IN_ADDRESS_FREE_FAILURES", "5")
    monkeypatch.setenv("SIGN_IN_BACKOFF_BASE_SECONDS", "30")
    monkeypatch.setenv("SIGN_IN_BACKOFF_MAX_SECONDS", "3600")
    get_settings.cache_clear()
    yield get_settings()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def argon2_verifies(monkeypatch) -> list[str]:
    """Counts the Argon2 verifications the real hasher runs (the slow part of an answer)."""
    counted: list[str] = []
    real_verify = PasswordHasher.verify

    def verify(self, password_hash, password):
        counted.append(password_hash)
        return real_verify(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    return counted


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


def test_the_product_hashes_at_argon2s_low_memory_cost():
    """What the suite's own process hashes at a lower cost (tests/conftest.py), people's
    passwords and the stand-in checked for an unknown email are hashed at this one."""
    assert (PRODUCT_HASHER.time_cost, PRODUCT_HASHER.memory_cost, PRODUCT_HASHER.parallelism) == (
        3,
        64 * 1024,
        4,
    )
    assert "$m=65536,t=3,p=4$" in PRODUCT_DUMMY_HASH
    assert PRODUCT_HASHER.verify(PRODUCT_HASHER.hash(PASSWORD), PASSWORD)


def test_a_short_password_is_not_stored():
    with pytest.raises(BadRequest) as raised:
        hash_password("short")
    assert raised.value.field == "password"


ATTACKER = "203.0.113.7"  # documentation ranges (RFC 5737)
OWNER = "198.51.100.20"


def fail(db, email: str, source: str, times: int = 1) -> list[str]:
    """`times` wrong passwords; the type of each refusal (throttled ones included)."""
    refusals = []
    for attempt in range(times):
        with pytest.raises((SignInFailed, RateLimited)) as raised:
            on_accounts(db, authenticate, email, f"wrong password {attempt}", source)
        refusals.append(type(raised.value).__name__)
    return refusals


def test_the_right_password_signs_in_and_is_audited(db, make_user, account_events):
    user = make_user(email="dana@example.com")
    signed_in = on_accounts(db, authenticate, "  Dana@Example.com ", PASSWORD, OWNER)
    assert (signed_in.user_id, signed_in.email, signed_in.display_name) == (
        user.id,
        "dana@example.com",
        "Dana",
    )
    [event] = account_events("signed_in")
    assert event.user_id == user.id and event.client_account_id is None
    assert event.details == {"method": "password", "source": OWNER}
    db.refresh(user)
    assert user.last_sign_in_at is not None


def test_unknown_email_and_wrong_password_get_the_same_answer(db, make_user):
    make_user()
    messages = set()
    for email, password in (("nobody@example.com", PASSWORD), ("dana@example.com", "wrong")):
        with pytest.raises(SignInFailed) as raised:
            on_accounts(db, authenticate, email, password)
        assert raised.value.status == 403
        messages.add(raised.value.message)
    assert messages == {"Wrong email or password"}


def test_a_disabled_account_or_one_without_password_cannot_sign_in(db, make_user):
    make_user(email="gone@example.com", active=False)
    make_user(email="sso@example.com", password=None)
    for email in ("gone@example.com", "sso@example.com"):
        with pytest.raises(SignInFailed):
            on_accounts(db, authenticate, email, PASSWORD)


def test_every_answer_costs_one_argon2_verification(db, make_user, throttle, argon2_verifies):
    """Same work, so the same time, whether the account exists, is disabled or throttled."""
    make_user(email="dana@example.com")
    make_user(email="gone@example.com", active=False)
    make_user(email="sso@example.com", password=None)
    fail(db, "dana@example.com", ATTACKER, 3)
    fail(db, "nobody@example.com", ATTACKER, 3)
    attempts = {
        "right password": ("dana@example.com", PASSWORD, OWNER),
        "wrong password": ("dana@example.com", "wrong password", OWNER),
        "unknown email": ("nobody@example.com", PASSWORD, OWNER),
        "disabled account": ("gone@example.com", PASSWORD, OWNER),
        "account without password": ("sso@example.com", PASSWORD, OWNER),
        "throttled account": ("dana@example.com", PASSWORD, ATTACKER),
        "throttled unknown email": ("nobody@example.com", PASSWORD, ATTACKER),
    }
    answers = {}
    for name, (email, password, source) in attempts.items():
        argon2_verifies.clear()
        try:
            on_accounts(db, authenticate, email, password, source)
            answer: object = "signed in"
        except (SignInFailed, RateLimited) as refused:
            answer = refused.status
        answers[name] = (answer, len(argon2_verifies))
    assert answers == {
        "right password": ("signed in", 1),
        "wrong password": (403, 1),
        "unknown email": (403, 1),
        "disabled account": (403, 1),
        "account without password": (403, 1),
        "throttled account": (429, 1),
        "throttled unknown email": (429, 1),
    }


def test_a_throttled_account_and_a_throttled_unknown_email_get_the_same_answer(
    db, make_user, throttle
):
    make_user(email="dana@example.com")
    answers = {}
    # From two fresh addresses, so that each email meets the same conditions.
    for email, source in (
        ("dana@example.com", "203.0.113.8"),
        ("nobody@example.com", "203.0.113.9"),
    ):
        assert fail(db, email, source, 4) == ["SignInFailed"] * 3 + ["SignInThrottled"]
        with pytest.raises(RateLimited) as raised:
            on_accounts(db, authenticate, email, PASSWORD, source)
        seconds = raised.value.retry_after_seconds
        answers[email] = (raised.value.status, re.sub(r"\d+", "N", raised.value.message))
        assert 25 < seconds <= 30
    assert answers["dana@example.com"] == answers["nobody@example.com"]
    assert answers["dana@example.com"] == (429, "Too many failed sign-ins; try again in N s")


def test_failures_from_another_address_do_not_stop_the_owner(db, make_user):
    user = make_user(email="dana@example.com")
    refusals = fail(db, "dana@example.com", ATTACKER, 20)  # default settings: 5 free failures
    assert refusals[:5] == ["SignInFailed"] * 5 and set(refusals[5:]) == {"SignInThrottled"}
    assert on_accounts(db, authenticate, "dana@example.com", PASSWORD, OWNER).user_id == user.id
    # and the attacker's address stays throttled for that email
    with pytest.raises(RateLimited):
        on_accounts(db, authenticate, "dana@example.com", PASSWORD, ATTACKER)


def let_the_waits_pass(db) -> None:
    """As if the blocks had run out (rather than sleeping through them)."""
    db.execute(update(SignInThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))
    db.commit()


def test_waits_double_after_each_failure_beyond_the_free_ones(
    db, make_user, throttle, caplog, account_events
):
    user = make_user()
    caplog.set_level(logging.INFO, logger="core.access.identity")
    assert fail(db, user.email, OWNER, 3) == ["SignInFailed"] * 3
    # Throttled: even the right password is refused, with how long to wait.
    with pytest.raises(RateLimited) as raised:
        on_accounts(db, authenticate, user.email, PASSWORD, OWNER)
    assert raised.value.status == 429 and 25 < raised.value.retry_after_seconds <= 30
    let_the_waits_pass(db)
    assert fail(db, user.email, OWNER) == ["SignInFailed"]  # one more try, then twice as long
    with pytest.raises(RateLimited) as raised:
        on_accounts(db, authenticate, user.email, PASSWORD, OWNER)
    assert 55 < raised.value.retry_after_seconds <= 60
    let_the_waits_pass(db)
    assert on_accounts(db, authenticate, user.email, PASSWORD, OWNER).user_id == user.id
    assert fail(db, user.email, OWNER) == ["SignInFailed"]  # a success starts the count afresh

    failures = account_events("sign_in_failed")
    assert [event.details["failures_in_a_row"] for event in failures] == [1, 2, 3, 4, 1]
    assert {event.details["source"] for event in failures} == {OWNER}
    logged = caplog.text + str([event.details for event in failures])
    assert "wrong password" not in logged and PASSWORD not in logged
    assert f"sign-in failed for dana@example.com from {OWNER} (3 in a row)" in caplog.text


def test_one_address_failing_on_many_emails_is_throttled_for_all_of_them(db, make_user, throttle):
    user = make_user(email="dana@example.com")
    for index in range(5):  # five free failures per address, whichever emails
        assert fail(db, f"guess{index}@example.com", ATTACKER) == ["SignInFailed"]
    with pytest.raises(RateLimited):
        on_accounts(db, authenticate, "dana@example.com", PASSWORD, ATTACKER)
    assert on_accounts(db, authenticate, "dana@example.com", PASSWORD, OWNER).user_id == user.id


def test_a_burst_of_parallel_guesses_gets_no_more_than_the_free_failures(
    session_maker, make_user, throttle
):
    make_user(email="dana@example.com")
    refusals: list[str] = []
    start = threading.Barrier(8)

    def guess() -> None:
        with session_maker() as db:
            start.wait()
            try:
                refusals.extend(fail(db, "dana@example.com", ATTACKER))
            except BaseException as unexpected:  # shown by the assertion below
                refusals.append(repr(unexpected))

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(refusals) == ["SignInFailed"] * 3 + ["SignInThrottled"] * 5


def test_parallel_sign_ins_of_one_account_all_succeed(session_maker, make_user):
    # Tabs, or a team behind one proxy address, signing in at once: the throttle rows they
    # all lock must neither deadlock nor count a right password as a failure.
    user = make_user(email="dana@example.com")
    outcomes: list[str] = []
    start = threading.Barrier(5)  # no more than the free failures: each is counted in advance

    def sign_in() -> None:
        with session_maker() as db:
            start.wait()
            for _ in range(3):
                try:
                    signed_in = on_accounts(db, authenticate, "dana@example.com", PASSWORD, OWNER)
                    outcomes.append("signed in" if signed_in.user_id == user.id else "wrong user")
                except BaseException as unexpected:  # shown by the assertion below
                    outcomes.append(repr(unexpected))

    threads = [threading.Thread(target=sign_in) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["signed in"] * 15


def test_audit_details_refuse_secrets(db, uow_of, tenant):
    with pytest.raises(ValueError, match="password"), uow_of(tenant) as uow:
        audit.record(uow, "oops", new_password="x")


def test_oidc_signs_in_an_existing_active_user_only(db, make_user, account_events):
    user = make_user(email="kai@example.com", password=None)
    assert on_accounts(db, sign_in_oidc, "KAI@example.com", "Kai Chen").user_id == user.id
    with pytest.raises(Forbidden):
        on_accounts(db, sign_in_oidc, "stranger@example.com", "Stranger")
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
        on_accounts(db, sign_in_oidc, f"kai{invisible}@example.com", "Kai")
    with pytest.raises(BadRequest, match="email"):
        on_accounts(db, authenticate, f"kai{invisible}@example.com", PASSWORD)


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
    choices = on_accounts(db, list_engagements, str(user.id))
    assert [(c.client_name, c.engagement_name, c.role) for c in choices] == [
        ("Alpha Bank", "Wave 1", "manager"),
        ("Alpha Bank", "Wave 2", "admin"),
        ("Beta Air", "Wave 1", "analyst"),
    ]
    signed_in = sign_in_session(db, user.id)
    ctx = on_accounts(
        db,
        context_for,
        user.id,
        str(first.client_account_id),
        str(wave_2.id),
        sign_in_session_id=signed_in,
    )
    assert (ctx.engagement_id, ctx.role, ctx.user_id) == (wave_2.id, "admin", user.id)


def test_context_for_refuses_an_engagement_without_membership(db, make_user, make_tenant):
    mine, other = make_tenant(), make_tenant()
    user = make_user(memberships=[(mine.client_account_id, mine.engagement_id, "admin")])
    signed_in = {"sign_in_session_id": sign_in_session(db, user.id)}
    with pytest.raises(Forbidden):
        on_accounts(
            db, context_for, user.id, other.client_account_id, other.engagement_id, **signed_in
        )
    # An engagement id of another client, paired with my client, is refused too.
    with pytest.raises(Forbidden):
        on_accounts(
            db, context_for, user.id, mine.client_account_id, other.engagement_id, **signed_in
        )
    with pytest.raises(Forbidden):
        on_accounts(
            db, context_for, uuid.uuid4(), mine.client_account_id, mine.engagement_id, **signed_in
        )
    with pytest.raises(BadRequest) as raised:
        on_accounts(db, context_for, user.id, "nope", mine.engagement_id, **signed_in)
    assert raised.value.field == "client_account_id"


def test_a_disabled_user_has_no_engagements(db, make_user, tenant):
    user = make_user(active=False, memberships=[(tenant.client_account_id, None, "admin")])
    assert on_accounts(db, list_engagements, user.id) == []
