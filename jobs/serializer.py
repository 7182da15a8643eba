"""Queue messages as JSON of primitives, in place of Huey's pickle.

Huey unpickles whatever it reads off its queue, and unpickling can call any function: anyone
who can write to Redis (or the SqliteHuey file) could run code in the worker. JSON read back
into these models can only ever give strings, numbers, lists, dicts and datetimes.

Each message is also signed (HMAC-SHA256, a key derived from SESSION_SECRET under a salt of its
own): a message of the right shape written by anyone without the secret (with access to Redis
only) names a client and a flow of its choosing, so it is dropped unread, with a log line.
"""

import hashlib
import logging
import time
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from huey.registry import Message
from huey.serializer import Serializer
from itsdangerous import BadSignature, Signer
from pydantic import BaseModel, ConfigDict, Field, JsonValue, TypeAdapter, ValidationError

logger = logging.getLogger(__name__)
Seconds = int | float
# Its own salt: a sign-in token or a progress pass never verifies as a queue message.
SALT = "collection-dashboard.queue-message"


class TaskMessage(BaseModel):
    """Huey's Message (huey/registry.py), field for field, with primitives for arguments."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)

    kind: Literal["task"] = "task"
    id: str
    name: str
    eta: datetime | None = None
    retries: int | None = None
    retry_delay: Seconds | None = None
    priority: int | None = None
    args: list[JsonValue] | None = None
    kwargs: dict[str, JsonValue] | None = None
    on_complete: "TaskMessage | None" = None
    on_error: "TaskMessage | None" = None
    # A task's expiry: a time, or a delay from when it is enqueued.
    expires: datetime | timedelta | Seconds | None = None
    expires_resolved: datetime | None = None
    timeout: Seconds | None = None
    chord_config: "tuple[str, int, int, TaskMessage] | None" = None
    retry_backoff: Seconds | None = None
    # When the message was written to the queue: the oldest waiting task says how long it waits.
    enqueued_at: float | None = None

    def to_message(self) -> Message:
        fields = {name: getattr(self, name) for name in Message._fields}
        if self.args is not None:
            fields["args"] = tuple(self.args)
        for name in ("on_complete", "on_error"):
            if fields[name] is not None:
                fields[name] = fields[name].to_message()
        if self.chord_config is not None:
            cid, size, index, callback = self.chord_config
            fields["chord_config"] = (cid, size, index, callback.to_message())
        return Message(**fields)


class Revocation(BaseModel):
    """What Huey stores when a task is revoked: (revoke_until, revoke_once)."""

    kind: Literal["revocation"] = "revocation"
    until: datetime | None
    once: bool


class Value(BaseModel):
    """Anything else Huey keeps (lock and rate-limit markers): plain JSON."""

    kind: Literal["value"] = "value"
    value: JsonValue


Stored = TypeAdapter(Annotated[TaskMessage | Revocation | Value, Field(discriminator="kind")])


class UnreadableMessage(ValueError):
    """Something on the queue that this application did not write; it is dropped."""


class JSONSerializer(Serializer):
    """Signed JSON; `secret` is shared by every process that enqueues or consumes."""

    def __init__(self, secret: str, **options: Any) -> None:
        super().__init__(**options)
        self._signer = Signer(
            secret, salt=SALT, key_derivation="hmac", digest_method=hashlib.sha256
        )

    def _serialize(self, data: Any) -> bytes:
        try:
            return self._signer.sign(Stored.dump_json(_model_of(data)))
        except ValidationError as error:
            raise TypeError(
                "A task takes strings, numbers, booleans, None, lists and dicts only: "
                f"{_first_problem(error)}"
            ) from None

    def enqueued_at(self, data: bytes) -> float | None:
        """When a task message still on the queue was written there; None if unreadable."""
        try:
            stored = Stored.validate_json(self._signer.unsign(data))
        except (BadSignature, ValidationError):
            return None
        return stored.enqueued_at if isinstance(stored, TaskMessage) else None

    def _deserialize(self, data: bytes) -> Any:
        try:
            unsigned = self._signer.unsign(data)
        except BadSignature:
            logger.warning(
                "dropped a queue message without a valid signature (%d bytes)", len(data)
            )
            raise UnreadableMessage(
                "A queue message without this application's signature was dropped unread"
            ) from None
        try:
            stored = Stored.validate_json(unsigned)
        except ValidationError as error:
            raise UnreadableMessage(
                f"A queue message that this application did not write was dropped unread: "
                f"{_first_problem(error)}"
            ) from None
        if isinstance(stored, TaskMessage):
            return stored.to_message()
        if isinstance(stored, Revocation):
            return (stored.until, stored.once)
        return stored.value


def _model_of(data: Any) -> TaskMessage | Revocation | Value:
    if isinstance(data, Message):
        return TaskMessage.model_validate(data).model_copy(update={"enqueued_at": time.time()})
    if (
        isinstance(data, tuple)
        and len(data) == 2
        and (data[0] is None or isinstance(data[0], datetime))
        and isinstance(data[1], bool)
    ):
        return Revocation(until=data[0], once=data[1])
    return Value(value=data)


def _first_problem(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]
