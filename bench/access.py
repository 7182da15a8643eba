"""The cost of re-checking the sign-in session and the membership on every use case, and how long each sign-in answer
takes (right and wrong password, unknown email, throttled account, throttled unknown email).

Prints one JSON object. Creates and drops its own PostgreSQL database and SQLite file.
    python bench/access.py [--users 5000] [--repeat 2000] [--server postgresql://...@host:5432]
"""

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta

from argon2 import PasswordHasher
from scratch import DEFAULT_SERVER, scratch_database
from sqlalchemy import insert
from sqlalchemy.orm import sessionmaker

from config.settings import get_settings
from core.access.identity import authenticate
from core.access.passwords import hash_password
from core.kernel.context import RequestContext
from core.kernel.errors import CollectionError
from core.kernel.permissions import Action, require
from core.storage.account_unit_of_work import account_uow
from db.migrate import upgrade
from db.models import ClientAccount, Engagement, Membership, SignInSession, User
from db.session import create_db_engine
from db.types import utcnow

PASSWORD = "correct horse battery staple"


def millis(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p90_ms": round(ordered[int(len(ordered) * 0.9)] * 1000, 3),
    }


def seed(make_session, users: int) -> RequestContext:
    """One client with 20 engagements; `users` users with 2 memberships each; one real account."""
    now = utcnow()
    with make_session() as db:
        client = ClientAccount(name="Bench client")
        db.add(client)
        db.flush()
        engagements = [Engagement(client_account_id=client.id, name=f"Wave {i}") for i in range(20)]
        db.add_all(engagements)
        db.flush()
        user_rows = [
            {"id": uuid.uuid4(), "email": f"user{i}@bench.test", "is_active": True}
            for i in range(users)
        ]
        for row in user_rows:
            row.update(created_at=now, updated_at=now, password_hash=None)
        user_rows[0]["email"], user_rows[0]["password_hash"] = (
            "dana@bench.test",
            hash_password(PASSWORD),
        )
        db.execute(insert(User), user_rows)
        memberships = [
            {
                "id": uuid.uuid4(),
                "user_id": row["id"],
                "client_account_id": client.id,
                "engagement_id": engagements[(index + offset) % 20].id,
                "role": "analyst",
                "created_at": now,
                "updated_at": now,
            }
            for index, row in enumerate(user_rows)
            for offset in (0, 7)
        ]
        db.execute(insert(Membership), memberships)
        signed_in = SignInSession(
            user_id=user_rows[0]["id"], method="password", expires_at=now + timedelta(hours=12)
        )
        db.add(signed_in)
        db.commit()
        return RequestContext(
            client.id,
            engagements[0].id,
            user_id=user_rows[0]["id"],
            sign_in_session_id=signed_in.id,
        )


def membership_check(make_session, ctx: RequestContext, repeat: int) -> dict:
    operator = RequestContext(ctx.client_account_id, ctx.engagement_id, role="analyst")
    result = {}
    with make_session() as db:
        for name, context in (("operator_context", operator), ("user_context", ctx)):
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                require(db, context, Action.VIEW)
                times.append(time.perf_counter() - started)
                db.rollback()
            result[name] = millis(times)
    result["added_ms"] = round(
        result["user_context"]["median_ms"] - result["operator_context"]["median_ms"], 3
    )
    return result


def sign_in_answers(make_session, repeat: int) -> dict:
    """Each kind of answer `repeat` times, interleaved so that load on the machine hits them
    alike; a fresh source address unless throttling is wanted. Argon2's own time is taken
    apart, so what else differs between the answers (the database work) shows too."""
    kinds = {
        "throttled_account": ("dana@bench.test", PASSWORD, "203.0.113.1"),
        "throttled_unknown_email": ("nobody@bench.test", PASSWORD, "203.0.113.2"),
        "right_password": ("dana@bench.test", PASSWORD, None),
        "wrong_password": ("dana@bench.test", "wrong password", None),
        "unknown_email": ("nobody@bench.test", "wrong password", None),
    }
    argon2_seconds: list[float] = []
    real_verify = PasswordHasher.verify

    def timed_verify(self, password_hash, password):
        started = time.perf_counter()
        try:
            return real_verify(self, password_hash, password)
        finally:
            argon2_seconds.append(time.perf_counter() - started)

    PasswordHasher.verify = timed_verify
    totals: dict[str, list[float]] = {name: [] for name in kinds}
    others: dict[str, list[float]] = {name: [] for name in kinds}
    verifies: dict[str, set[int]] = {name: set() for name in kinds}
    answers: dict[str, set[str]] = {name: set() for name in kinds}
    try:
        with make_session() as db:
            for source, email in (("203.0.113.1", "dana"), ("203.0.113.2", "nobody")):
                for _ in range(get_settings().sign_in_free_failures):  # throttle these two
                    with contextlib.suppress(CollectionError), account_uow(db) as uow:
                        authenticate(uow, f"{email}@bench.test", "wrong password", source)
            for attempt in range(repeat):
                for name, (email, password, fixed_source) in kinds.items():
                    source = fixed_source or f"198.51.{attempt // 250}.{attempt % 250}"
                    argon2_seconds.clear()
                    started = time.perf_counter()
                    try:
                        with account_uow(db) as uow:
                            authenticate(uow, email, password, source)
                        answers[name].add("signed in")
                    except CollectionError as refused:
                        answers[name].add(f"{refused.status} {refused.message.split(';')[0]}")
                    totals[name].append(time.perf_counter() - started)
                    others[name].append(totals[name][-1] - sum(argon2_seconds))
                    verifies[name].add(len(argon2_seconds))
    finally:
        PasswordHasher.verify = real_verify
    return {
        name: {
            "total": millis(totals[name]),
            "besides_argon2": millis(others[name]),
            "argon2_verifications": sorted(verifies[name]),
            "answers": sorted(answers[name]),
        }
        for name in kinds
    }


def run(url: str, users: int, repeat: int, sign_ins: int) -> dict:
    engine = create_db_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    try:
        ctx = seed(make_session, users)
        return {
            "membership_check": membership_check(make_session, ctx, repeat),
            "sign_in": sign_in_answers(make_session, sign_ins),
        }
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--sign-ins", type=int, default=30)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()
    # The throttled answers must stay throttled for the whole run.
    os.environ["SIGN_IN_BACKOFF_BASE_SECONDS"] = "3600"
    os.environ["SIGN_IN_BACKOFF_MAX_SECONDS"] = "3600"
    get_settings.cache_clear()
    report = {"users": args.users, "memberships": args.users * 2, "cpus": os.cpu_count()}
    with scratch_database(args.server, "bench_access") as url:
        report["postgresql"] = run(url, args.users, args.repeat, args.sign_ins)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/access.db"
        upgrade(url)
        report["sqlite"] = run(url, args.users, args.repeat, args.sign_ins)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
