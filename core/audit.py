"""The audit trail: who did what to which flow, when."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import RequestContext
from core.permissions import Action, require
from db.models import AuditEvent

# Detail keys that would carry a secret into the audit trail.
SECRET_WORDS = ("password", "secret", "token")


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
    db.add(
        AuditEvent(
            client_account_id=ctx.client_account_id,
            engagement_id=ctx.engagement_id,
            user_id=ctx.user_id,
            flow_id=flow_id,
            action=action,
            details=details,
        )
    )


def record_account_event(db: Session, user_id: uuid.UUID, action: str, **details: Any) -> None:
    """An event of an account rather than a tenant (sign-in): no client, no engagement."""
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
    flow_id: uuid.UUID | None = None,
    action: str | None = None,
    limit: int = 500,
) -> list[AuditEvent]:
    require(ctx, Action.VIEW_AUDIT)
    query = (
        select(AuditEvent)
        .where(AuditEvent.client_account_id == ctx.client_account_id)
        .where(AuditEvent.engagement_id == ctx.engagement_id)
        .order_by(AuditEvent.occurred_at.desc())
        .limit(limit)
    )
    if flow_id is not None:
        query = query.where(AuditEvent.flow_id == flow_id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.scalars(query))
