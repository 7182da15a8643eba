"""Use cases own their transactions: commit on success, roll back on any error."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session


@contextmanager
def atomic(db: Session) -> Iterator[Session]:
    try:
        yield db
        db.commit()
    except BaseException:
        db.rollback()
        raise
