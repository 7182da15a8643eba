"""Who is asking, and for which tenant."""

import uuid
from dataclasses import dataclass
from typing import Literal

from core.kernel.errors import BadRequest
from core.kernel.inputs import parse_uuid

Role = Literal["analyst", "manager", "admin"]
ROLES: tuple[Role, ...] = ("analyst", "manager", "admin")
# Memberships grant, never take away: of several on one engagement the strongest counts.
ROLE_STRENGTH: dict[str, int] = {"manager": 0, "analyst": 1, "admin": 2}


@dataclass(frozen=True)
class RequestContext:
    """Tenant ids and the caller. Strings are accepted and parsed (workers get primitives)."""

    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: Role = "analyst"
    # A worker finishing a job: the user's membership was checked when the job was submitted,
    # and what was accepted then may finish (core.kernel.permissions.require skips the re-check).
    checked_at_submit: bool = False
    # The sign-in session the person acts under (sign_in_sessions.id): every action checks it
    # is still live, so a new password, a deactivation or Sign out in another tab ends an open
    # tab at its next action. A context naming a user without one acts for nobody.
    sign_in_session_id: uuid.UUID | None = None

    @classmethod
    def for_queued_job(
        cls, client_account_id: str, engagement_id: str, user_id: str | None
    ) -> "RequestContext":
        """The context a worker acts in for the user who submitted the job (primitives in)."""
        return cls(
            parse_uuid(client_account_id, "client_account_id"),
            parse_uuid(engagement_id, "engagement_id"),
            user_id=parse_uuid(user_id, "user_id") if user_id else None,
            role="analyst",
            checked_at_submit=True,
        )

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "client_account_id", parse_uuid(self.client_account_id, "client_account_id")
        )
        object.__setattr__(self, "engagement_id", parse_uuid(self.engagement_id, "engagement_id"))
        if self.user_id is not None:
            object.__setattr__(self, "user_id", parse_uuid(self.user_id, "user_id"))
        if self.sign_in_session_id is not None:
            session_id = parse_uuid(self.sign_in_session_id, "sign_in_session_id")
            object.__setattr__(self, "sign_in_session_id", session_id)
        if self.role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}", field="role")
