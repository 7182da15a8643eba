"""The audit trail of one tenant."""

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import AuditEvent


class AuditRepository(TenantRepository):
    def add(self, event: AuditEvent) -> None:
        event.client_account_id = self.client_account_id
        event.engagement_id = self.engagement_id
        self.db.add(event)

    def list_events(
        self,
        *,
        actions: Sequence[str] = (),
        flow_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 500,
        offset: int = 0,
    ) -> list[AuditEvent]:
        query = self._scoped(select(AuditEvent), AuditEvent)
        if actions:
            query = query.where(AuditEvent.action.in_(actions))
        if flow_id is not None:
            query = query.where(AuditEvent.flow_id == flow_id)
        if user_id is not None:
            query = query.where(AuditEvent.user_id == user_id)
        if since is not None:
            query = query.where(AuditEvent.occurred_at >= since)
        if until is not None:
            query = query.where(AuditEvent.occurred_at < until)
        order = (AuditEvent.occurred_at.desc(), AuditEvent.id)
        return list(self.db.scalars(query.order_by(*order).limit(limit).offset(offset)))

    def actions(self) -> list[str]:
        query = self._scoped(select(AuditEvent.action).distinct(), AuditEvent)
        return sorted(self.db.scalars(query))
