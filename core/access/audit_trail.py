"""The audit trail as people read it: who (by name), which flow (by name), what, in words."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.access.audit import list_events
from core.kernel.phases import PHASE_ORDER
from core.storage.unit_of_work import UnitOfWork

# Who acted when an event has no user: a worker or a command, not a person.
SYSTEM = "system"
UNKNOWN_USER = "a removed account"


@dataclass(frozen=True)
class TrailEntry:
    occurred_at: datetime
    action: str
    user_name: str
    flow_id: str  # the master flow_id, "" for an event of no flow
    flow_name: str
    details: str


def list_trail(uow: UnitOfWork, **filters: Any) -> list[TrailEntry]:
    """`list_events` with users and flows named and details written out as text."""
    events = list_events(uow, **filters)
    users = uow.audit.user_names({event.user_id for event in events if event.user_id})
    flows = uow.audit.flow_names({event.flow_id for event in events if event.flow_id})
    return [
        TrailEntry(
            occurred_at=event.occurred_at,
            action=event.action,  # as the filter above the table takes it
            user_name=users.get(event.user_id, UNKNOWN_USER) if event.user_id else SYSTEM,
            flow_id=str(event.flow_id or ""),
            flow_name=flows.get(event.flow_id, "") if event.flow_id else "",
            details=describe(event.details),
        )
        for event in events
    ]


def describe(details: dict[str, Any]) -> str:
    """Details as one line of text: "From phase: gap analysis; To phase: manual collection".

    Keys in alphabetical order: PostgreSQL's JSONB keeps no order of its own."""
    return "; ".join(
        f"{_words(key).capitalize()}: {_value(details[key])}" for key in sorted(details)
    )


def _words(name: str) -> str:
    return name.replace("_", " ")


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{_words(str(key))} {_value(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, str) and value in PHASE_ORDER:
        return _words(value)  # gap_analysis reads "gap analysis"; people's text stays as typed
    return str(value)
