"""The audit trail of one tenant."""

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import AuditEvent, CollectionFlow, User


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

    def user_names(self, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """What people are called (display name, else email), for the users of these events."""
        if not user_ids:
            return {}
        query = select(User.id, User.display_name, User.email).where(User.id.in_(user_ids))
        return {row.id: row.display_name or row.email for row in self.db.execute(query)}

    def flow_names(self, flow_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The names of this tenant's flows (by master flow_id); another tenant's stay unnamed."""
        if not flow_ids:
            return {}
        query = self._scoped(
            select(CollectionFlow.flow_id, CollectionFlow.flow_name), CollectionFlow
        ).where(CollectionFlow.flow_id.in_(flow_ids))
        return {row.flow_id: row.flow_name for row in self.db.execute(query)}
