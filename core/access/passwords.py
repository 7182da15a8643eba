"""Argon2 password hashes (argon2-cffi's defaults: RFC 9106's low-memory profile)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.kernel.errors import BadRequest

MIN_PASSWORD_LENGTH = 12
# Longer input is refused before hashing, so a sign-in cannot be made to hash megabytes.
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()
# Verified when the account does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("no such account: equal timing")


def check_new_password(password: object) -> str:
    """A password good enough to store: text of MIN..MAX characters."""
    if not isinstance(password, str):
        raise BadRequest("password must be text", field="password")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise BadRequest(
            f"password must hold {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters",
            field="password",
        )
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_new_password(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; a missing or corrupt hash is simply no match."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
