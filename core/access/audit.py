"""The audit trail: who did what to which flow, when; listed per tenant for admins."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest
from core.kernel.inputs import parse_int, parse_text, parse_uuid
from core.kernel.permissions import Action, require
from core.storage.audit import AuditRepository
from db.models import AuditEvent

# Detail keys that would carry a secret into the audit trail.
SECRET_WORDS = ("password", "secret", "token")
MAX_PAGE_SIZE = 1000


def record(
    db: Session,
    ctx: RequestContext,
    action: str,
    *,
    flow_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    """Add an event to the caller's transaction, so it lands exactly when the change does."""
    _check_details(details)
    AuditRepository(db, ctx.client_account_id, ctx.engagement_id).add(
        AuditEvent(user_id=ctx.user_id, flow_id=flow_id, action=action, details=details)
    )


def record_account_event(
    db: Session, user_id: uuid.UUID | None, action: str, **details: Any
) -> None:
    """An event of an account rather than a tenant (sign-in): no client, no engagement.

    No user: a failed sign-in with an email that has no account."""
    _check_details(details)
    db.add(AuditEvent(user_id=user_id, action=action, details=details))


def _check_details(details: dict[str, Any]) -> None:
    secret = [key for key in details if any(word in key.lower() for word in SECRET_WORDS)]
    if secret:
        raise ValueError(f"audit details must not hold secrets: {', '.join(secret)}")


def list_events(
    db: Session,
    ctx: RequestContext,
    *,
    flow_id: str | uuid.UUID | None = None,
    action: str | None = None,
    actions: Sequence[str] = (),
    user_id: str | uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[AuditEvent]:
    """The tenant's events, newest first, filtered by flow, action(s), user and time range."""
    require(db, ctx, Action.VIEW_AUDIT)
    if isinstance(actions, str) or not isinstance(actions, list | tuple):
        raise BadRequest("actions must be a list", field="actions")
    wanted = [parse_text(value, "actions", max_length=60) for value in actions]
    if action is not None:
        wanted.append(parse_text(action, "action", max_length=60))
    since = _aware(since, "since")
    until = _aware(until, "until")
    if since is not None and until is not None and since >= until:
        raise BadRequest("since must be before until", field="since")
    return AuditRepository(db, ctx.client_account_id, ctx.engagement_id).list_events(
        actions=wanted,
        flow_id=None if flow_id is None else parse_uuid(flow_id, "flow_id"),
        user_id=None if user_id is None else parse_uuid(user_id, "user_id"),
        since=since,
        until=until,
        limit=parse_int(limit, "limit", minimum=1, maximum=MAX_PAGE_SIZE),
        offset=parse_int(offset, "offset", minimum=0, maximum=10**9),
    )


def list_actions(db: Session, ctx: RequestContext) -> list[str]:
    """The actions the tenant's trail holds, for the admin page's filter."""
    require(db, ctx, Action.VIEW_AUDIT)
    return AuditRepository(db, ctx.client_account_id, ctx.engagement_id).actions()


def _aware(value: Any, field: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise BadRequest(f"{field} must be a date and time", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise BadRequest(f"{field} must carry a time zone", field=field)
    return value
