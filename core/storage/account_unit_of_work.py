"""A unit of work on accounts: sign-in, the engagements a user may open, memberships.

Such work happens before any tenant is chosen (or across tenants, as an administrator adds a
membership), so no tenant is bound: PostgreSQL's row-level security admits no tenant's rows
through it, and account events are written without tenant ids. Like the tenant's unit of
work, `with account_uow() as uow:` opens its own session (or works over one it is given),
commits when the block ends and rolls back on any error.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from db.session import open_session


class AccountUnitOfWork:
    """One session for work on accounts; a block of work commits or rolls back."""

    def __init__(self, session: Session | None = None) -> None:
        self._given_session = session
        self._session: Session | None = None
        self._depth = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def __enter__(self) -> Self:
        if self._depth == 0:
            self._session = self._given_session or open_session()
            self._opened(self._session)
        self._depth += 1
        return self

    def _opened(self, session: Session) -> None:
        """Called once the outermost block has its session (a tenant's work binds it here)."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth:
            return  # a nested block shares the outer transaction: the outer block decides
        session = self.session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        finally:
            if self._given_session is None:
                session.close()
            self._session = None

    def commit(self) -> None:
        """Save what is done so far (a sign-in counts the attempt before it checks the hash)."""
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def account_uow(session: Session | None = None) -> AccountUnitOfWork:
    return AccountUnitOfWork(session)
