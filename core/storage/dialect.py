"""Where PostgreSQL and SQLite differ for core: the upsert statement, the advisory lock, the
rows of one write of a long phase, and the planner's statistics after a bulk write."""

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


# Rows of gaps a scan writes in one statement. SQLite has one writer, and a long phase there
# commits after each write (core/flows/phase_run_worker.py): a batch small enough to be
# written in a fraction of a second lets a person's save through between two of them.
WRITE_BATCH_ROWS = 5000
SQLITE_WRITE_BATCH_ROWS = 500


def write_batch_rows(bind: Bind) -> int:
    return WRITE_BATCH_ROWS if is_postgresql(bind) else SQLITE_WRITE_BATCH_ROWS


# Fewer rows than this leave the statistics to autovacuum: a plan is not wrong by that much.
BULK_WRITE_ROWS = 5000


def refresh_statistics(
    session: Session, table: str, rows_written: int, *, bulk_rows: int = BULK_WRITE_ROWS
) -> None:
    """After a bulk write of at least `bulk_rows` rows into `table` ("assets",
    "collection_data_gaps" or "questionnaires"), have PostgreSQL's planner count them
    (migrations 0010 and 0018).

    Without it, the next reads are planned for the table as it was (empty, after a first
    import), and a join planned for one row runs for minutes over 700,000. SQLite plans
    from its indexes without statistics.
    """
    if rows_written >= bulk_rows and is_postgresql(session):
        session.execute(text("SELECT analyze_after_bulk_write(:table)"), {"table": table})
