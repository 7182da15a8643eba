"""What the sign-in throttle counts, how long it blocks, and when it forgets."""

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from core.access.sign_in_throttle import (
    ThrottlePolicy,
    _address_key,
    _pair_key,
    prune,
    refund,
    reserve_attempt,
    source_of,
)
from core.storage.account_unit_of_work import account_uow
from db.models import SignInThrottle
from db.types import utcnow

pytestmark = pytest.mark.both_backends

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


def waiting_for_a_lock(db) -> int:
    return db.scalar(
        select(func.count())
        .select_from(text("pg_stat_activity"))
        .where(text("wait_event_type = 'Lock' AND datname = current_database()"))
    )


def test_a_refund_waiting_for_a_row_an_attempt_holds_holds_no_other_row(backend, session_maker, db):
    """A refund takes the rows in the attempts' order (by key): while it waits for the first,
    it holds no row a parallel attempt could be waiting for (that cycle was a deadlock)."""
    if backend != "postgresql":
        pytest.skip("SQLite locks the whole database for each write")
    source = "203.0.113.7"
    # An email whose address row comes first in the lock order: the order deleting the pair
    # first (the refund's old order) gets wrong.
    email = next(
        address
        for address in (f"dana{n}@example.com" for n in range(100))
        if _address_key(source) < _pair_key(address, source)
    )
    attempt(db, email, source)
    with session_maker() as holder, session_maker() as refunder, session_maker() as other:
        holder.scalars(  # an attempt that has locked the first row and goes on to the pair
            select(SignInThrottle)
            .where(SignInThrottle.key == _address_key(source))
            .with_for_update()
        ).all()
        refunding = threading.Thread(
            target=lambda: (refund(refunder, email, source, POLICY), refunder.commit())
        )
        refunding.start()
        try:
            while refunding.is_alive() and not waiting_for_a_lock(db):
                db.rollback()  # a fresh snapshot of pg_stat_activity
                time.sleep(0.05)
            # The pair is free for the attempt: no deadlock.
            pair = other.scalars(
                select(SignInThrottle)
                .where(SignInThrottle.key == _pair_key(email, source))
                .with_for_update(nowait=True)
            ).all()
            assert len(pair) == 1
            other.rollback()
        finally:
            holder.rollback()  # the refund goes on, and its session ends before the block's
            refunding.join()
    assert list(db.scalars(select(SignInThrottle.failures))) == [0]  # only the address is left
