"""Engines and sessions from DATABASE_URL, and the tenant settings of each transaction."""

import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from config.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
TENANT_INFO_KEY = "tenant"
# Transaction-local (the `true`), so a pooled connection never carries a tenant onwards.
SET_TENANT = text(
    "SELECT set_config('app.client_account_id', :client_account_id, true),"
    " set_config('app.engagement_id', :engagement_id, true)"
)


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=10,
            max_overflow=20,
            # No JIT: it compiles for a second before a count over a flow's 700,000 gaps that
            # runs in a tenth of one (its cost estimates, not its run times, pass the threshold).
            connect_args={"options": "-c jit=off"},
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself (below) instead of pysqlite's deferred one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # Take the write lock up front: SQLite's stand-in for SELECT ... FOR UPDATE, and no
        # "database is locked" when a reader later wants to write. Connections marked
        # read-only take a plain snapshot instead (WAL readers never wait for writers).
        if connection.get_execution_options().get("sqlite_read_only"):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def begin_read(db: Session) -> None:
    """Begin `db`'s transaction as a read on SQLite: a plain BEGIN, whose WAL snapshot never
    waits for the one writer (a long phase's batch), where BEGIN IMMEDIATE would queue behind
    it. For work that only reads; nothing when a transaction is open, or on PostgreSQL."""
    if db.in_transaction() or db.get_bind().dialect.name != "sqlite":
        return
    db.connection(execution_options={"sqlite_read_only": True})


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    return create_db_engine(url or get_settings().database_url)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def open_session(url: str | None = None) -> Session:
    return session_factory(url)()


def bind_tenant(db: Session, client_account_id: uuid.UUID, engagement_id: uuid.UUID) -> None:
    """Make `db` work for one tenant: PostgreSQL's row-level security admits only its rows.

    Applied at the start of every transaction of the session (below), and at once when a
    transaction is already open. Work pending for the previous tenant is flushed first.
    """
    tenant = {"client_account_id": str(client_account_id), "engagement_id": str(engagement_id)}
    if db.info.get(TENANT_INFO_KEY) == tenant:
        return
    if db.in_transaction() and (db.new or db.dirty or db.deleted):
        db.flush()
    db.info[TENANT_INFO_KEY] = tenant
    if db.in_transaction():
        _apply_tenant(db, db.connection())


def bound_tenant(db: Session) -> dict[str, str] | None:
    return db.info.get(TENANT_INFO_KEY)


@event.listens_for(Session, "after_begin")
def _set_tenant_on_begin(
    session: Session, _transaction: SessionTransaction, connection: Connection
) -> None:
    _apply_tenant(session, connection)


def _apply_tenant(session: Session, connection: Connection) -> None:
    tenant = session.info.get(TENANT_INFO_KEY)
    if tenant is not None and connection.dialect.name == "postgresql":
        connection.execute(SET_TENANT, tenant)
