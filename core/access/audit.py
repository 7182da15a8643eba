"""The audit trail: who did what to which flow, when; listed per tenant for admins."""

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.errors import BadRequest
from core.kernel.permissions import Action
from core.storage.account_unit_of_work import AccountUnitOfWork
from core.storage.unit_of_work import UnitOfWork
from db.models import AuditEvent

# Detail keys that would carry a secret into the audit trail.
SECRET_WORDS = ("password", "secret", "token")
MAX_PAGE_SIZE = 1000


def record(
    uow: UnitOfWork, action: str, /, *, flow_id: uuid.UUID | None = None, **details: Any
) -> None:
    """Add an event to the unit of work, so it lands exactly when the change does."""
    _check_details(details)
    uow.audit.add(
        AuditEvent(user_id=uow.ctx.user_id, flow_id=flow_id, action=action, details=details)
    )


def record_account_event(
    uow: AccountUnitOfWork, user_id: uuid.UUID | None, action: str, **details: Any
) -> None:
    """An event of an account rather than a tenant (sign-in): no client, no engagement.

    No user: a failed sign-in with an email that has no account."""
    _check_details(details)
    uow.session.add(AuditEvent(user_id=user_id, action=action, details=details))


def _check_details(details: dict[str, Any]) -> None:
    secret = [key for key in details if any(word in key.lower() for word in SECRET_WORDS)]
    if secret:
        raise ValueError(f"audit details must not hold secrets: {', '.join(secret)}")


def _moment(value: object) -> object:
    # Only a moment in time: no text to guess at, and no naive time read in some zone.
    if not isinstance(value, datetime):
        raise ValueError("must be a date and time")
    if value.utcoffset() is None:
        raise ValueError("must carry a time zone")
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
ActionName = Annotated[CleanText, StringConstraints(max_length=60)]


class AuditFilters(InputModel):
    flow_id: uuid.UUID | None = Field(None, title="Flow")
    action: ActionName | None = Field(None, title="Action")
    actions: tuple[ActionName, ...] = Field((), title="Actions")
    user_id: uuid.UUID | None = Field(None, title="User")
    since: Moment | None = Field(None, title="Since")
    until: Moment | None = Field(None, title="Until")
    limit: int = Field(500, ge=1, le=MAX_PAGE_SIZE, strict=True, title="Number of events")
    offset: int = Field(0, ge=0, le=10**9, strict=True, title="Events skipped")

    @model_validator(mode="after")
    def _a_range_ends_after_it_starts(self) -> "AuditFilters":
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise BadRequest("Since must be before until", field="since")
        return self

    @property
    def wanted_actions(self) -> list[str]:
        return [*self.actions, *([self.action] if self.action else [])]


def list_events(uow: UnitOfWork, **filters: Any) -> list[AuditEvent]:
    """The tenant's events, newest first, filtered by flow, action(s), user and time range."""
    uow.require(Action.VIEW_AUDIT)
    wanted = parse_input(AuditFilters, filters)
    return uow.audit.list_events(
        actions=wanted.wanted_actions,
        flow_id=wanted.flow_id,
        user_id=wanted.user_id,
        since=wanted.since,
        until=wanted.until,
        limit=wanted.limit,
        offset=wanted.offset,
    )
