"""The audit trail of one tenant."""

import contextlib
import uuid
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import (
    AuditEvent,
    ClientAccount,
    CollectionFlow,
    Engagement,
    Membership,
    Questionnaire,
    User,
)


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

    def names_of_things(self, ids: dict[str, set[uuid.UUID]]) -> dict[uuid.UUID, str]:
        """What the ids events' details hold are called: people (by user or membership),
        engagements and clients by name, questionnaires by title and their questions by label.
        Questionnaires of another tenant stay unnamed."""
        names: dict[uuid.UUID, str] = dict(self.user_names(ids.get("user", set())))
        memberships = ids.get("membership", set())
        if memberships:
            people = (
                select(Membership.id, User.display_name, User.email)
                .join(User, User.id == Membership.user_id)
                .where(Membership.id.in_(memberships))
            )
            names |= {row.id: row.display_name or row.email for row in self.db.execute(people)}
        if ids.get("engagement"):
            query = select(Engagement.id, Engagement.name).where(
                Engagement.id.in_(ids["engagement"])
            )
            names |= {row.id: row.name for row in self.db.execute(query)}
        if ids.get("client"):
            query = select(ClientAccount.id, ClientAccount.name).where(
                ClientAccount.id.in_(ids["client"])
            )
            names |= {row.id: row.name for row in self.db.execute(query)}
        if ids.get("questionnaire"):
            titles = self._scoped(
                select(Questionnaire.id, Questionnaire.title, Questionnaire.questions).join(
                    CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id
                ),
                CollectionFlow,
            ).where(Questionnaire.id.in_(ids["questionnaire"]))
            for row in self.db.execute(titles):
                names[row.id] = row.title
                for question in row.questions or []:
                    with contextlib.suppress(ValueError, TypeError, KeyError):
                        names[uuid.UUID(str(question["id"]))] = str(question.get("label", ""))
        return names
