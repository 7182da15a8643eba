"""Where PostgreSQL and SQLite differ for core: the upsert statement and the advisory lock."""

from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Bind = Engine | Connection | Session


def is_postgresql(bind: Bind) -> bool:
    engine = bind.get_bind() if isinstance(bind, Session) else bind
    return engine.dialect.name == "postgresql"


def insert(bind: Bind, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of the bind's dialect: both take `.on_conflict_do_update(...)` (an upsert)."""
    return (postgresql.insert if is_postgresql(bind) else sqlite.insert)(table)


def advisory_lock(connection: Connection | Session, key: str) -> None:
    """Serialize the transactions that take `key`, until each ends.

    PostgreSQL takes a transaction-level advisory lock; SQLite needs none, as every write
    transaction there begins IMMEDIATE and so already holds the database's one write lock.
    """
    if is_postgresql(connection):
        connection.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )
