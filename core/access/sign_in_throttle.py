"""How often one address may get one email's password wrong, and how often it may fail at all.

Counts are kept per (email, source address) and per source address, never per account
alone: someone else's failures cannot lock an owner out from where the owner signs in, and
an email that has no account is throttled exactly like one that has. After the free
failures, each further one blocks for base * 2**(failures beyond the free ones) seconds, up
to a cap. The rows are in the database, so every web replica sees the same counts.
"""

import hashlib
import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from config.settings import Settings
from core.kernel.errors import RateLimited
from core.storage.dialect import insert
from db.models import SignInThrottle

# One IPv6 customer usually holds a whole /64: counting single addresses would not slow them.
IPV6_PREFIX = 64
UNKNOWN_SOURCE = "unknown"


class SignInThrottled(RateLimited):
    def __init__(self, wait_seconds: float) -> None:
        # Says nothing of the account: unknown emails are throttled the same way.
        super().__init__(
            f"Too many failed sign-ins; try again in {max(1, round(wait_seconds))} s",
            retry_after_seconds=wait_seconds,
        )


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int  # per (email, address)
    address_free_failures: int  # per address, whatever the emails
    base_seconds: float
    max_seconds: float
    forget_after_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "ThrottlePolicy":
        return cls(
            settings.sign_in_free_failures,
            settings.sign_in_address_free_failures,
            settings.sign_in_backoff_base_seconds,
            settings.sign_in_backoff_max_seconds,
            settings.sign_in_forget_after_seconds,
        )

    def block_seconds(self, failures: int, free: int) -> float:
        if failures < free:
            return 0.0
        return min(self.max_seconds, self.base_seconds * 2 ** min(failures - free, 32))


def source_of(address: object) -> str:
    """The address as counted: IPv4 as is, IPv6 by its /64, other text as given, else unknown."""
    text = address.strip()[:64] if isinstance(address, str) else ""
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return text or UNKNOWN_SOURCE
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def _key(*parts: str) -> str:
    # Fixed width, and no stranger's email or address kept in clear text.
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _pair_key(email: str, source: str) -> str:
    return _key("email+address", email, source)


def _address_key(source: str) -> str:
    return _key("address", source)


def email_key(email: str) -> str:
    return _key("email", email)


def reserve_attempt(
    db: Session, email: str, source: str, policy: ThrottlePolicy, now: datetime
) -> float:
    """Count this attempt as a failure in advance; 0, or the seconds to wait if blocked.

    Counting before the password is checked, under the rows' locks, is what stops a burst of
    parallel guesses from all passing before the first one is counted. A blocked attempt is
    not counted: waiting out the block is enough. `refund` takes the count back on success.
    """
    pair_key = _pair_key(email, source)
    keys = {pair_key: policy.free_failures}
    keys[_address_key(source)] = policy.address_free_failures
    hashed_email = email_key(email)
    db.execute(
        insert(db, SignInThrottle)
        .values(
            [
                {
                    "key": key,
                    "email_key": hashed_email if key == pair_key else None,
                    "failures": 0,
                    "last_attempt_at": now,
                }
                for key in sorted(keys)
            ]
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )
    rows = db.scalars(
        select(SignInThrottle)
        .where(SignInThrottle.key.in_(keys))
        .order_by(SignInThrottle.key)  # one lock order for every caller
        .with_for_update()
    ).all()
    blocked = [row.blocked_until for row in rows if row.blocked_until and row.blocked_until > now]
    if blocked:
        return (max(blocked) - now).total_seconds()
    forget_before = now - timedelta(seconds=policy.forget_after_seconds)
    for row in rows:
        failures = 0 if row.last_attempt_at < forget_before else row.failures
        row.failures = failures + 1
        row.last_attempt_at = now
        wait = policy.block_seconds(row.failures, keys[row.key])
        row.blocked_until = now + timedelta(seconds=wait) if wait else None
    return 0.0


def prune(db: Session, policy: ThrottlePolicy, now: datetime) -> None:
    """Delete counts nobody added to for a while; rows another sign-in holds are left alone."""
    forget_before = now - timedelta(seconds=policy.forget_after_seconds)
    stale = (
        select(SignInThrottle.key)
        .where(
            SignInThrottle.last_attempt_at < forget_before,
            SignInThrottle.blocked_until.is_(None) | (SignInThrottle.blocked_until < now),
        )
        .with_for_update(skip_locked=True)
    )
    db.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(stale)))


def refund(db: Session, email: str, source: str, policy: ThrottlePolicy) -> None:
    """The password was right: the pair starts afresh, the address gets this attempt back."""
    pair_key, address_key = _pair_key(email, source), _address_key(source)
    # Locked in reserve_attempt's order (by key) before anything changes: deleting the pair
    # first would hold it while waiting for the address row, which a parallel attempt may
    # hold while it waits for the pair (a deadlock).
    rows = {
        row.key: row
        for row in db.scalars(
            select(SignInThrottle)
            .where(SignInThrottle.key.in_([pair_key, address_key]))
            .order_by(SignInThrottle.key)
            .with_for_update()
        )
    }
    if pair_key in rows:
        db.execute(delete(SignInThrottle).where(SignInThrottle.key == pair_key))
    address = rows.get(address_key)
    if address is not None:
        address.failures = max(0, address.failures - 1)
        if address.failures < policy.address_free_failures:
            address.blocked_until = None


def failures_counted(db: Session, email: str, source: str) -> int:
    """Failures in a row of this email from this source (for the audit trail)."""
    row = db.get(SignInThrottle, _pair_key(email, source))
    return row.failures if row is not None else 0


def clear_email(db: Session, email: str) -> int:
    """Forget the failures of `email` from every address (an operator unlocks the account);
    the number of addresses it was counted from. Counts per address alone are left alone:
    they stand for an address's guesses at any email, not for this person."""
    result = db.execute(delete(SignInThrottle).where(SignInThrottle.email_key == email_key(email)))
    return int(getattr(result, "rowcount", 0) or 0)
