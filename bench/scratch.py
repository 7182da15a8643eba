"""A PostgreSQL database of one benchmark run: created, migrated, dropped."""

import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

DEFAULT_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")


def admin(server: str, statement: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, migrated database, dropped when the block ends."""
    from db.migrate import upgrade

    name = f"{prefix}_{os.getpid()}"
    admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = f"{server.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        upgrade(url)
        yield url
    finally:
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def scratch_deployment(name: str, **settings: str) -> Iterator[list[subprocess.Popen]]:
    """A deployment on PostgreSQL and Redis of one benchmark run, in this process's settings:
    a fresh database migrated by its owner, an application role, a Redis key prefix, and
    `settings` on top. Yields the list to put the run's consumers in; when the block ends they
    are stopped, the prefix's keys and Huey's queue deleted, the database and role dropped."""
    import redis

    from db.migrate import upgrade_and_grant
    from tests.processes import stop_group

    tag = f"{os.getpid()}_{secrets.token_hex(2)}"
    database, role = f"bench_{name}_{tag}", f"bench_{name}_app_{tag}"
    owner_url = f"{DEFAULT_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{database}"
    prefix = f"bench-{tag}:"
    defaults = {
        "DATABASE_URL": owner_url.replace("postgres@", f"{role}@"),
        "MIGRATION_DATABASE_URL": owner_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "JOB_STALL_SECONDS": "60",
        # What every process of a deployment on PostgreSQL and Redis signs with.
        "SESSION_SECRET": secrets.token_urlsafe(48),
    }
    os.environ.update({**defaults, **settings})
    admin(DEFAULT_SERVER, f'CREATE DATABASE "{database}"')
    consumers: list[subprocess.Popen] = []
    try:
        upgrade_and_grant()
        yield consumers
    finally:
        for consumer in consumers:
            stop_group(consumer)
        client = redis.Redis.from_url(REDIS_URL)
        # The job keys carry the prefix; Huey's queue keys carry it in their name.
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        keys += list(client.scan_iter(match=f"huey.*{tag}*", count=1000))
        if keys:
            client.delete(*keys)
        admin(DEFAULT_SERVER, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin(DEFAULT_SERVER, f'DROP ROLE IF EXISTS "{role}"')
