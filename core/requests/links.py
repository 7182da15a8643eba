"""The signed link in an owner's mail: it names one request and the nonce it was issued with.

Signed with SESSION_SECRET under a salt of its own (a sign-in token or a progress pass never
reads as a link), timestamped so it dies after REQUEST_DAYS even if the row says otherwise.
A new nonce on the request (a resend) revokes every link issued before it.
"""

import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from itsdangerous import BadData, URLSafeTimedSerializer

from config.settings import Settings, get_settings
from core.access.session_tokens import session_secret

SALT = "collection-dashboard.owner-request"
MAX_LINK_TOKEN_LENGTH = 512
PAGE = "answer"  # the owner's page, beside the dashboard's pages


@dataclass(frozen=True)
class LinkClaim:
    request_id: uuid.UUID
    nonce: str
    client_account_id: uuid.UUID
    engagement_id: uuid.UUID


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


@lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return _serializer_for(session_secret(settings))


def issue(claim: LinkClaim, settings: Settings | None = None) -> str:
    payload = {
        "r": str(claim.request_id),
        "n": claim.nonce,
        "c": str(claim.client_account_id),
        "e": str(claim.engagement_id),
    }
    return str(_serializer(settings or get_settings()).dumps(payload))


def link_url(claim: LinkClaim, settings: Settings | None = None) -> str:
    """The address an owner opens: PUBLIC_URL's owner page with the signed token."""
    settings = settings or get_settings()
    base = settings.public_url.rstrip("/")
    return f"{base}/{PAGE}?" + urlencode({"token": issue(claim, settings)})


def read(token: object, settings: Settings | None = None) -> LinkClaim | None:
    """The claim of a genuine token younger than REQUEST_DAYS; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_LINK_TOKEN_LENGTH:
        return None
    settings = settings or get_settings()
    try:
        payload = _serializer(settings).loads(token, max_age=settings.request_days * 86_400)
        nonce = payload["n"]
        if not isinstance(nonce, str) or not nonce:
            return None
        return LinkClaim(
            uuid.UUID(payload["r"]), nonce, uuid.UUID(payload["c"]), uuid.UUID(payload["e"])
        )
    except (BadData, KeyError, TypeError, ValueError, AttributeError):
        return None
