"""What the sign-in throttle counts, how long it blocks, and when it forgets."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.access.sign_in_throttle import ThrottlePolicy, prune, reserve_attempt, source_of
from core.storage.account_unit_of_work import account_uow
from db.models import SignInThrottle
from db.types import utcnow

POLICY = ThrottlePolicy(
    free_failures=3,
    address_free_failures=5,
    base_seconds=30,
    max_seconds=900,
    forget_after_seconds=3600,
)


@pytest.mark.parametrize(
    ("given", "counted"),
    [
        ("203.0.113.7", "203.0.113.7"),
        (" 203.0.113.7 ", "203.0.113.7"),
        ("::ffff:203.0.113.7", "203.0.113.7"),  # IPv4 seen through an IPv6 socket
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one customer's /64 is one source
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        (None, "unknown"),  # Streamlit gives no address on localhost
        ("", "unknown"),
        (42, "unknown"),
        ("behind-a-proxy", "behind-a-proxy"),
    ],
)
def test_sources_are_counted_by_address_and_ipv6_by_its_64(given, counted):
    assert source_of(given) == counted


def test_blocks_double_beyond_the_free_failures_up_to_the_cap():
    waits = [POLICY.block_seconds(failures, POLICY.free_failures) for failures in range(1, 10)]
    assert waits == [0, 0, 30, 60, 120, 240, 480, 900, 900]
    assert POLICY.block_seconds(10_000, POLICY.free_failures) == 900


def attempt(db, email="dana@example.com", source="203.0.113.7", now=None) -> float:
    with account_uow(db) as uow:
        return reserve_attempt(uow.session, email, source, POLICY, now or utcnow())


def test_counts_not_added_to_for_an_hour_start_afresh_and_are_pruned(db):
    for _ in range(3):
        assert attempt(db) == 0
    assert attempt(db) > 0  # blocked
    an_hour_ago = utcnow() - timedelta(seconds=POLICY.forget_after_seconds + 1)
    db.execute(update(SignInThrottle).values(last_attempt_at=an_hour_ago, blocked_until=None))
    db.commit()
    assert attempt(db) == 0
    assert sorted(db.scalars(select(SignInThrottle.failures))) == [1, 1]
    db.execute(update(SignInThrottle).values(last_attempt_at=an_hour_ago))
    db.commit()
    with account_uow(db) as uow:
        prune(uow.session, POLICY, utcnow())
    assert db.scalar(select(func.count()).select_from(SignInThrottle)) == 0


def test_keys_hold_no_email_or_address_in_clear(db):
    attempt(db, "dana@example.com", "203.0.113.7")
    keys = list(db.scalars(select(SignInThrottle.key)))
    assert len(keys) == 2 and all(len(key) == 64 and "@" not in key for key in keys)
