"""The Clients & engagements page's use cases: an admin names the current client, creates,
renames and archives its engagements, and creates a new client (becoming its admin).

Naming the client, creating, archiving and restoring engagements and creating clients take an
admin of all the client's engagements; an admin of one engagement sees, renames and orders
that engagement only (another is "not found").

Nothing is deleted: an archived engagement keeps every row, answers reads, refuses changes
(core/kernel/permissions.py, 409) and is offered by no picker until it is restored.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, select

from core.access import audit, tenants
from core.kernel.errors import BadRequest, Conflict, NotFound
from core.kernel.inputs import parse_text, parse_uuid
from core.kernel.permissions import Action, covers_client
from core.storage.unit_of_work import UnitOfWork
from core.storage.value_sources import SOURCE_ORDERS
from db.models import ClientAccount, Engagement, Membership
from db.types import utcnow


@dataclass(frozen=True)
class EngagementRow:
    id: uuid.UUID
    name: str
    archived_at: datetime | None
    current: bool  # the engagement the admin works in
    import_precedence: str = "answers"  # answers | newest_import


def _in_reach(uow: UnitOfWork) -> ColumnElement[bool]:
    """The engagements the caller manages: the client's, or its own for an admin of one."""
    of_client = Engagement.client_account_id == uow.ctx.client_account_id
    if covers_client(uow.session, uow.ctx):
        return of_client
    return and_(of_client, Engagement.id == uow.ctx.engagement_id)


def _name(text: str, label: str) -> str:
    return parse_text(text, "name", max_length=tenants.MAX_NAME_LENGTH, label=label)


def list_engagements(uow: UnitOfWork) -> tuple[str, list[EngagementRow]]:
    """The client's name and its engagements (archived ones too), by name."""
    uow.require(Action.MANAGE_ENGAGEMENTS)
    client = uow.session.get(ClientAccount, uow.ctx.client_account_id)
    rows = uow.session.scalars(select(Engagement).where(_in_reach(uow)).order_by(Engagement.name))
    found = [
        EngagementRow(
            row.id,
            row.name,
            row.archived_at,
            row.id == uow.ctx.engagement_id,
            row.import_precedence,
        )  # fmt: skip
        for row in rows
    ]
    return (client.name if client else ""), found


def add_engagement(uow: UnitOfWork, name: str) -> tuple[Engagement, bool]:
    """An engagement of the current client; (engagement, created): an existing name is
    handed back, not duplicated."""
    uow.require_client_wide(Action.MANAGE_ENGAGEMENTS)
    text = _name(name, "Engagement name")
    engagement, _client, created = tenants.add_engagement(uow, str(uow.ctx.client_account_id), text)
    return engagement, created


def _engagement(uow: UnitOfWork, engagement_id: str | uuid.UUID) -> Engagement:
    found = uow.session.scalars(
        select(Engagement).where(
            Engagement.id == parse_uuid(engagement_id, "engagement_id"), _in_reach(uow)
        )
    ).first()
    if found is None:
        raise NotFound("No such engagement of this client")
    return found


def rename_engagement(uow: UnitOfWork, engagement_id: str | uuid.UUID, name: str) -> Engagement:
    uow.require(Action.MANAGE_ENGAGEMENTS)
    engagement = _engagement(uow, engagement_id)
    text = _name(name, "Engagement name")
    taken = select(Engagement.id).where(
        Engagement.client_account_id == uow.ctx.client_account_id,
        Engagement.name == text,
        Engagement.id != engagement.id,
    )
    if uow.session.scalar(taken.exists().select()):
        raise Conflict(f"The client has an engagement called {text!r} already")
    before, engagement.name = engagement.name, text
    audit.record(
        uow, "engagement_renamed", engagement_id=str(engagement.id), before=before, after=text
    )
    return engagement


def set_archived(uow: UnitOfWork, engagement_id: str | uuid.UUID, archived: bool) -> Engagement:
    """Archive an engagement (read-only, hidden) or restore it; not the one being worked in."""
    uow.require_client_wide(Action.MANAGE_ENGAGEMENTS)
    engagement = _engagement(uow, engagement_id)
    if archived and engagement.id == uow.ctx.engagement_id:
        raise Conflict("Open another engagement to archive this one")
    if (engagement.archived_at is not None) != archived:
        engagement.archived_at = utcnow() if archived else None
        action = "engagement_archived" if archived else "engagement_restored"
        audit.record(uow, action, engagement_id=str(engagement.id))
    return engagement


def set_source_order(uow: UnitOfWork, engagement_id: str | uuid.UUID, order: str) -> Engagement:
    """Whether the engagement's later imports keep people's answers ("answers") or replace
    them ("newest_import"); either way the difference is reported by the import."""
    uow.require(Action.MANAGE_ENGAGEMENTS)
    if order not in SOURCE_ORDERS:
        raise BadRequest(f"Unknown source order {str(order)[:40]!r}")
    engagement = _engagement(uow, engagement_id)
    if engagement.import_precedence != order:
        before, engagement.import_precedence = engagement.import_precedence, order
        audit.record(
            uow,
            "source_order_changed",
            engagement_id=str(engagement.id),
            before=before,
            after=order,
        )
    return engagement


def rename_client(uow: UnitOfWork, name: str) -> ClientAccount:
    uow.require_client_wide(Action.MANAGE_ENGAGEMENTS)
    text = _name(name, "Client name")
    client = uow.session.get(ClientAccount, uow.ctx.client_account_id)
    if client is None:
        raise NotFound("Client not found")
    taken = select(ClientAccount.id).where(
        ClientAccount.name == text, ClientAccount.id != client.id
    )
    if uow.session.scalar(taken.exists().select()):
        raise Conflict(f"A client called {text!r} exists already")
    before, client.name = client.name, text
    audit.record(uow, "client_renamed", before=before, after=text)
    return client


def create_client(uow: UnitOfWork, name: str, first_engagement: str) -> Engagement:
    """A new client with its first engagement, the admin its admin; an existing client's name
    is a 409 (creating never hands out a membership of a client that exists)."""
    uow.require_client_wide(Action.MANAGE_ENGAGEMENTS)
    text = _name(name, "Client name")
    client, created = tenants.add_client(uow, text)
    if not created:
        raise Conflict(f"A client called {text!r} exists already")
    engagement, _client, _created = tenants.add_engagement(
        uow, str(client.id), _name(first_engagement, "Engagement name")
    )
    if uow.ctx.user_id is not None:
        uow.session.add(
            Membership(user_id=uow.ctx.user_id, client_account_id=client.id, role="admin")
        )
    audit.record(uow, "client_created", client_account_id=str(client.id), name=text)
    return engagement
