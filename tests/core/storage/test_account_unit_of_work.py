"""The unit of work on accounts commits a block, rolls it back on any error, binds no tenant."""

import pytest
from sqlalchemy import select

from core.storage.account_unit_of_work import account_uow
from db.models import User
from db.session import bound_tenant

pytestmark = pytest.mark.both_backends


def _user(email: str) -> User:
    return User(email=email, password_hash=None)


def test_a_block_that_ends_is_committed(db, session_maker):
    with account_uow(db) as uow:
        uow.session.add(_user("kept@example.com"))
        assert bound_tenant(uow.session) is None
    with session_maker() as other:
        assert other.scalars(select(User.email)).all() == ["kept@example.com"]


def test_a_block_that_raises_keeps_only_what_was_committed(db, session_maker):
    with pytest.raises(RuntimeError), account_uow(db) as uow:
        uow.session.add(_user("counted@example.com"))
        uow.commit()  # as a sign-in counts an attempt before it checks the password
        uow.session.add(_user("lost@example.com"))
        raise RuntimeError("refused")
    with session_maker() as other:
        assert other.scalars(select(User.email)).all() == ["counted@example.com"]


def test_a_nested_block_shares_the_outer_transaction(db, session_maker):
    uow = account_uow(db)
    with pytest.raises(RuntimeError), uow:
        with uow:
            uow.session.add(_user("inner@example.com"))
        raise RuntimeError("the outer block fails after the inner one ended")
    with session_maker() as other:
        assert other.scalars(select(User.email)).all() == []


def test_its_own_session_is_closed_after_the_block(app_settings):
    with account_uow() as uow:
        session = uow.session
        session.execute(select(User.id).limit(1))
    with pytest.raises(RuntimeError):
        uow.session  # noqa: B018 (outside its block)
    assert not session.in_transaction()
