"""The signed token a browser keeps to stay signed in, and the secret that signs it.

The token is itsdangerous' HMAC-SHA1-signed, timestamped JSON of one session id: it cannot be
forged without the secret, it is read as JSON (nothing in it can run code), and anything
that does not verify is simply no session.
"""

import os
import secrets
import tempfile
import uuid
from pathlib import Path

from itsdangerous import BadData, URLSafeTimedSerializer

from config.settings import Settings

SALT = "collection-dashboard.sign-in-session"
MAX_TOKEN_LENGTH = 512


class SharedSecretMissing(RuntimeError):
    """A deployment on shared servers left SESSION_SECRET unset."""

    def __init__(self) -> None:
        super().__init__(
            "SESSION_SECRET is not set: with PostgreSQL or Redis configured every web and worker"
            " process must sign with one shared secret, so set SESSION_SECRET (32 characters or"
            " more) to the same value on all of them."
        )


def session_secret(settings: Settings) -> str:
    """SESSION_SECRET, or (embedded default only) the one generated once into
    SESSION_SECRET_PATH; SharedSecretMissing on PostgreSQL or Redis without SESSION_SECRET."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value()
    if uses_shared_servers(settings):
        # A generated secret is one host's own: a second web replica or a worker elsewhere
        # would sign with another and refuse every cookie, pass and queue message of this one.
        raise SharedSecretMissing
    path = Path(settings.session_secret_path)
    if path.exists():
        return _read_secret(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole to a private file, then linked into place: a process starting at the same
    # time reads either no file or the complete one, and the first link wins.
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False) as file:
        os.chmod(file.name, 0o600)
        file.write(secrets.token_urlsafe(48))
    try:
        os.link(file.name, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(file.name)
    return _read_secret(path)


def uses_shared_servers(settings: Settings) -> bool:
    """PostgreSQL or Redis: processes on several hosts may serve one deployment."""
    return settings.redis_url is not None or not settings.database_url.startswith("sqlite")


def _read_secret(path: Path) -> str:
    secret = path.read_text().strip()
    if len(secret) < 32:
        raise RuntimeError(f"{path} holds no usable session secret (32 characters or more)")
    return secret


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(settings), salt=SALT)


def sign(session_id: uuid.UUID, settings: Settings) -> str:
    return str(_serializer(settings).dumps({"session": str(session_id)}))


def read(token: object, settings: Settings) -> uuid.UUID | None:
    """The session id a genuine token younger than SESSION_HOURS names; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        payload = _serializer(settings).loads(token, max_age=round(settings.session_hours * 3600))
        return uuid.UUID(payload["session"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
