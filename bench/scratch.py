"""A PostgreSQL database of one benchmark run: created, migrated, dropped."""

import os
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
