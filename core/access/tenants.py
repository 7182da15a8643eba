"""Client accounts and their engagements, as an operator creates them on an empty database.

Adding is idempotent: a name that exists already is handed back (with `created` False), not
duplicated, so a runbook may run the same commands twice.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select

from core.access import audit
from core.access.accounts import find_client
from core.kernel.inputs import parse_text
from core.storage.account_unit_of_work import AccountUnitOfWork
from db.models import ClientAccount, Engagement, Membership

MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class ClientSummary:
    id: uuid.UUID
    name: str
    engagements: int


@dataclass(frozen=True)
class EngagementSummary:
    id: uuid.UUID
    name: str
    client_name: str
    members: int
    archived: bool = False


def add_client(uow: AccountUnitOfWork, name: str) -> tuple[ClientAccount, bool]:
    """The client account called `name`, created if there is none; (client, created)."""
    text = parse_text(name, "name", max_length=MAX_NAME_LENGTH, label="Client name")
    db = uow.session
    client = db.scalars(select(ClientAccount).where(ClientAccount.name == text)).first()
    if client is not None:
        return client, False
    client = ClientAccount(name=text)
    db.add(client)
    db.flush()
    audit.record_account_event(
        uow, None, "client_added", client_account_id=str(client.id), name=text
    )
    return client, True


def add_engagement(
    uow: AccountUnitOfWork, client_name_or_id: str, name: str
) -> tuple[Engagement, ClientAccount, bool]:
    """The engagement `name` of a client, created if there is none; (engagement, client,
    created). An unknown client is a 404 naming it."""
    text = parse_text(name, "name", max_length=MAX_NAME_LENGTH, label="Engagement name")
    client = find_client(uow, client_name_or_id)
    db = uow.session
    engagement = db.scalars(
        select(Engagement).where(Engagement.client_account_id == client.id, Engagement.name == text)
    ).first()
    if engagement is not None:
        return engagement, client, False
    engagement = Engagement(client_account_id=client.id, name=text)
    db.add(engagement)
    db.flush()
    audit.record_account_event(
        uow,
        None,
        "engagement_added",
        client_account_id=str(client.id),
        engagement_id=str(engagement.id),
        name=text,
    )
    return engagement, client, True


def list_clients(uow: AccountUnitOfWork) -> list[ClientSummary]:
    """Every client account with its number of engagements, by name."""
    counts = (
        select(Engagement.client_account_id, func.count().label("n"))
        .group_by(Engagement.client_account_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(ClientAccount.id, ClientAccount.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.client_account_id == ClientAccount.id)
        .order_by(ClientAccount.name)
    ).all()
    return [ClientSummary(id, name, count) for id, name, count in rows]


def list_engagements(
    uow: AccountUnitOfWork, client_name_or_id: str | None = None
) -> list[EngagementSummary]:
    """The engagements of one client (or of all), with their number of engagement-level
    members, by client and name."""
    members = (
        select(Membership.engagement_id, func.count().label("n"))
        .where(Membership.engagement_id.is_not(None))
        .group_by(Membership.engagement_id)
        .subquery()
    )
    query = (
        select(
            Engagement.id,
            Engagement.name,
            ClientAccount.name,
            func.coalesce(members.c.n, 0),
            Engagement.archived_at.is_not(None),
        )
        .join(ClientAccount, ClientAccount.id == Engagement.client_account_id)
        .outerjoin(members, members.c.engagement_id == Engagement.id)
        .order_by(ClientAccount.name, Engagement.name)
    )
    if client_name_or_id is not None:
        query = query.where(Engagement.client_account_id == find_client(uow, client_name_or_id).id)
    rows = uow.session.execute(query).all()
    return [EngagementSummary(*row) for row in rows]
