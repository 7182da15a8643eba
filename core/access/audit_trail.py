"""The audit trail as people read it: who (by name), which flow (by name), what, in words."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.access.audit import list_events
from core.catalogue import labels
from core.kernel.permissions import Action
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


# Ids in details, by what they name; a job has no name a person knows, so its id is left out.
ID_KINDS = {
    "user_id": "user",
    "membership_id": "membership",
    "engagement_id": "engagement",
    "client_account_id": "client",
    "questionnaire_id": "questionnaire",
    "question_id": "question",
}
HIDDEN_KEYS = frozenset({"job_id"})
# What an id names when it names nothing any more (the thing was removed, or is not this
# tenant's to name).
GONE = {
    "user": "a removed account",
    "membership": "a removed membership",
    "engagement": "another engagement",
    "client": "another client",
    "questionnaire": "a removed questionnaire",
    "question": "a removed question",
}
# Keys whose values are names from a vocabulary of the product, read in people's words.
VALUE_WORDS: dict[str, Callable[[str], str]] = {
    "automation_tier": labels.tier_label,
    "phase": labels.phase_label,
    "phase_name": labels.phase_label,
    "from_phase": labels.phase_label,
    "to_phase": labels.phase_label,
    "role": labels.role_label,
}
# Detail keys people read differently from the identifier.
KEY_WORDS = {
    "user_id": "Person",
    "membership_id": "Member",
    "engagement_id": "Engagement",
    "client_account_id": "Client",
    "questionnaire_id": "Questionnaire",
    "question_id": "Question",
    "phase_input": "Phase input",
    "new_account": "New account",
}


def list_trail(uow: UnitOfWork, **filters: Any) -> list[TrailEntry]:
    """`list_events` with users and flows named and details written out as text."""
    events = list_events(uow, **filters)
    users = uow.audit.user_names({event.user_id for event in events if event.user_id})
    flows = uow.audit.flow_names({event.flow_id for event in events if event.flow_id})
    names = uow.audit.names_of_things(_ids_in([event.details for event in events]))
    return [
        TrailEntry(
            occurred_at=event.occurred_at,
            action=event.action,  # as the filter above the table takes it
            user_name=users.get(event.user_id, UNKNOWN_USER) if event.user_id else SYSTEM,
            flow_id=str(event.flow_id or ""),
            flow_name=flows.get(event.flow_id, "") if event.flow_id else "",
            details=describe(event.details, names, action=event.action),
        )
        for event in events
    ]


def list_actions(uow: UnitOfWork) -> list[str]:
    """The actions the engagement's trail holds, for the filter above it."""
    uow.require(Action.VIEW_AUDIT)
    return uow.audit.actions()


def _ids_in(details: list[dict[str, Any]]) -> dict[str, set[uuid.UUID]]:
    """The ids to name, by kind; a question is named from its questionnaire."""
    found: dict[str, set[uuid.UUID]] = {}
    for detail in details:
        for key, kind in ID_KINDS.items():
            named = _uuid(detail.get(key))
            if named is not None and kind != "question":
                found.setdefault(kind, set()).add(named)
    return found


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def describe(
    details: dict[str, Any],
    names: dict[uuid.UUID, str] | None = None,
    *,
    action: str = "",
) -> str:
    """Details as one line of text: "From phase: Gap analysis; To phase: Manual collection".

    Things are named, never shown by id. Keys in alphabetical order: PostgreSQL's JSONB keeps
    no order of its own."""
    shown = []
    for key in sorted(details):
        if key in HIDDEN_KEYS or details[key] is None:
            continue
        shown.append(f"{_key(key)}: {_detail(key, details[key], names or {}, action)}")
    return "; ".join(shown)


def _key(key: str) -> str:
    return KEY_WORDS.get(key) or labels.words(key)


def _detail(key: str, value: Any, names: dict[uuid.UUID, str], action: str) -> str:
    if key in ID_KINDS:
        named = _uuid(value)
        return names.get(named, GONE[ID_KINDS[key]]) if named else str(value)
    if action == "member_role_changed" and key in ("before", "after") and isinstance(value, str):
        return labels.role_label(value)
    if key in VALUE_WORDS and isinstance(value, str):
        return VALUE_WORDS[key](value)
    return _value(value)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(
            f"{labels.field_label(str(key)).lower()} {_value(item)}" for key, item in value.items()
        )
    if isinstance(value, list | tuple):
        return ", ".join(_value(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value in PHASE_ORDER:
        return labels.phase_words(value)  # people's text stays as typed
    return str(value)
