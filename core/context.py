"""Who is asking, and for which tenant."""

import uuid
from dataclasses import dataclass
from typing import Literal

from core.errors import BadRequest
from core.inputs import parse_uuid

Role = Literal["analyst", "manager", "admin"]
ROLES: tuple[Role, ...] = ("analyst", "manager", "admin")


@dataclass(frozen=True)
class RequestContext:
    """Tenant ids and the caller. Strings are accepted and parsed (workers get primitives)."""

    client_account_id: uuid.UUID
    engagement_id: uuid.UUID
    user_id: uuid.UUID | None = None
    role: Role = "analyst"

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "client_account_id", parse_uuid(self.client_account_id, "client_account_id")
        )
        object.__setattr__(self, "engagement_id", parse_uuid(self.engagement_id, "engagement_id"))
        if self.user_id is not None:
            object.__setattr__(self, "user_id", parse_uuid(self.user_id, "user_id"))
        if self.role not in ROLES:
            raise BadRequest(f"role must be one of {', '.join(ROLES)}", field="role")
