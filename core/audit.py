"""The audit trail: who did what to which flow, when."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.context import RequestContext
from core.permissions import Action, require
from db.models import AuditEvent


def record(
    db: Session,
    ctx: RequestContext,
    action: str,
    *,
    flow_id: uuid.UUID | None = None,
    **details: Any,
) -> None:
    """Add an event to the caller's transaction, so it lands exactly when the change does."""
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
