"""An operator's recovery of an account: a new password, its failed sign-ins forgotten."""

from core.access import audit, sessions, sign_in_throttle
from core.access.accounts import find_account
from core.access.passwords import hash_password
from core.storage.account_unit_of_work import AccountUnitOfWork
from db.models import User


def set_password(uow: AccountUnitOfWork, email: str, password: str) -> User:
    """Give the account of `email` a new password (checked like any new one); every session
    it kept signed in ends."""
    user = find_account(uow, email, for_update=True)
    user.password_hash = hash_password(password)
    sessions.end_sessions_of(uow, user.id)  # whoever knew the old one is signed out
    audit.record_account_event(uow, user.id, "password_set")
    return user


def unlock(uow: AccountUnitOfWork, email: str) -> tuple[User, int]:
    """Forget the failed sign-ins of the account of `email`, from every address; (user, the
    number of addresses its failures were counted from)."""
    user = find_account(uow, email)
    cleared = sign_in_throttle.clear_email(uow.session, user.email)
    audit.record_account_event(uow, user.id, "account_unlocked", addresses_cleared=cleared)
    return user, cleared
