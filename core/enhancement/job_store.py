"""The job-key store: one small interface, a Redis and a SQL implementation.

A claim checks "is a job of this flow active?" (409) and then "was the last submission
less than 10 s ago?" (429) and takes both keys, all in one atomic step, so concurrent
submissions cannot both pass. Workers write progress only while the key is still theirs.
"""

import json
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import redis
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects import postgresql, sqlite

from core.enhancement.job_keys import (
    JOB_KEY_TTL_SECONDS,
    RATE_LIMIT_SECONDS,
    blocks_submission,
    job_key,
    rate_limit_key,
)
from db.models import JobKey
from db.settings import Settings, get_settings

ACCEPTED, CONFLICT, RATE_LIMITED = "accepted", "conflict", "rate_limited"


class JobKeyStore(ABC):
    @abstractmethod
    def claim(
        self, collection_flow_id: str, state: dict[str, Any], *, stall_seconds: float
    ) -> tuple[str, float]:
        """(ACCEPTED | CONFLICT | RATE_LIMITED, seconds to wait when rate limited)."""

    @abstractmethod
    def get(self, collection_flow_id: str) -> dict[str, Any] | None: ...

    @abstractmethod
    def get_many(self, collection_flow_ids: Sequence[str]) -> dict[str, dict[str, Any]]: ...

    @abstractmethod
    def update_if_current(self, collection_flow_id: str, job_id: str, changes: dict) -> bool:
        """Merge `changes` into the state if the key still holds job `job_id`.

        False when the key is gone or holds another job: the caller must stop writing.
        """

    @abstractmethod
    def delete(self, collection_flow_id: str, job_id: str | None = None) -> None:
        """Forget the job (only if it is still `job_id`, when given) and its rate limit."""


# On Redis the job key is a hash of JSON-encoded fields: a progress write sets a few small
# fields and never re-sends the submitted selection.
#
# Atomic claim: the active-job check first (409), then the rate limit (429), then both keys.
CLAIM_SCRIPT = """
local status = redis.call('HGET', KEYS[1], 'status')
local heartbeat = redis.call('HGET', KEYS[1], 'heartbeat_at')
if (status == '"queued"' or status == '"running"')
   and (tonumber(ARGV[3]) - tonumber(heartbeat or '0')) <= tonumber(ARGV[4]) then
  return {'conflict', '0'}
end
local wait_ms = redis.call('PTTL', KEYS[2])
if wait_ms > 0 then
  return {'rate_limited', tostring(wait_ms)}
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
return {'accepted', '0'}
"""

UPDATE_IF_CURRENT_SCRIPT = """
if redis.call('HGET', KEYS[1], 'job_id') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
"""

DELETE_IF_CURRENT_SCRIPT = """
local current = redis.call('HGET', KEYS[1], 'job_id')
if current and (ARGV[1] == '' or current == ARGV[1]) then
  redis.call('DEL', KEYS[1])
end
redis.call('DEL', KEYS[2])
return 1
"""


def _fields(state: dict[str, Any]) -> list[str]:
    return [item for key, value in state.items() for item in (key, json.dumps(value))]


def _state(fields: dict[str, str]) -> dict[str, Any] | None:
    return {key: json.loads(value) for key, value in fields.items()} if fields else None


class RedisJobStore(JobKeyStore):
    def __init__(self, client: redis.Redis, prefix: str = ""):
        self.client = client
        self.prefix = prefix
        self._claim = client.register_script(CLAIM_SCRIPT)
        self._update = client.register_script(UPDATE_IF_CURRENT_SCRIPT)
        self._delete = client.register_script(DELETE_IF_CURRENT_SCRIPT)

    def _keys(self, collection_flow_id: str) -> list[str]:
        return [
            self.prefix + job_key(collection_flow_id),
            self.prefix + rate_limit_key(collection_flow_id),
        ]

    def claim(self, collection_flow_id, state, *, stall_seconds):
        outcome, wait_ms = self._claim(
            keys=self._keys(collection_flow_id),
            args=[
                JOB_KEY_TTL_SECONDS,
                RATE_LIMIT_SECONDS,
                time.time(),
                stall_seconds,
                *_fields(state),
            ],
        )
        return _text(outcome), int(_text(wait_ms)) / 1000

    def get(self, collection_flow_id):
        return _state(self.client.hgetall(self.prefix + job_key(collection_flow_id)))

    def get_many(self, collection_flow_ids):
        pipeline = self.client.pipeline(transaction=False)
        for flow in collection_flow_ids:
            pipeline.hgetall(self.prefix + job_key(flow))
        states = zip(collection_flow_ids, pipeline.execute(), strict=True)
        return {flow: _state(fields) for flow, fields in states if fields}

    def update_if_current(self, collection_flow_id, job_id, changes):
        written = self._update(
            keys=[self.prefix + job_key(collection_flow_id)],
            args=[json.dumps(job_id), JOB_KEY_TTL_SECONDS, *_fields(changes)],
        )
        return bool(written)

    def delete(self, collection_flow_id, job_id=None):
        self._delete(
            keys=self._keys(collection_flow_id), args=[json.dumps(job_id) if job_id else ""]
        )


class SqlJobStore(JobKeyStore):
    """The embedded default: the same keys as rows of `job_keys`, in the application database."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def _lock(self, connection, key: str) -> None:
        # Serializes claims of one flow; SQLite's BEGIN IMMEDIATE already serializes writers.
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
            )

    def _put(self, connection, key: str, value: dict, ttl_seconds: float) -> None:
        expires_at = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
        statement = self.insert(JobKey).values(key=key, value=value, expires_at=expires_at)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "expires_at": expires_at}
            )
        )

    def _read(self, connection, keys: Sequence[str]) -> dict[str, JobKey]:
        query = select(JobKey.key, JobKey.value, JobKey.expires_at).where(JobKey.key.in_(keys))
        now = datetime.now(UTC)
        return {row.key: row for row in connection.execute(query) if row.expires_at > now}

    def claim(self, collection_flow_id, state, *, stall_seconds):
        job, rate = job_key(collection_flow_id), rate_limit_key(collection_flow_id)
        with self.engine.begin() as connection:
            self._lock(connection, job)
            rows = self._read(connection, [job, rate])
            current = rows[job].value if job in rows else None
            if blocks_submission(current, time.time(), stall_seconds):
                return CONFLICT, 0.0
            if rate in rows:
                wait = (rows[rate].expires_at - datetime.now(UTC)).total_seconds()
                return RATE_LIMITED, max(wait, 0.001)
            # Expired keys are purged only by a claim that writes: a refusal writes nothing.
            connection.execute(delete(JobKey).where(JobKey.expires_at < datetime.now(UTC)))
            self._put(connection, job, state, JOB_KEY_TTL_SECONDS)
            self._put(connection, rate, {"submitted_at": time.time()}, RATE_LIMIT_SECONDS)
        return ACCEPTED, 0.0

    def _reader(self):
        # Reads take no write lock on SQLite, so they never wait for a busy session.
        return self.engine.connect().execution_options(sqlite_read_only=True)

    def get(self, collection_flow_id):
        with self._reader() as connection:
            row = self._read(connection, [job_key(collection_flow_id)]).get(
                job_key(collection_flow_id)
            )
        return dict(row.value) if row else None

    def get_many(self, collection_flow_ids):
        keys = {job_key(flow): flow for flow in collection_flow_ids}
        if not keys:
            return {}
        with self._reader() as connection:
            rows = self._read(connection, list(keys))
        return {keys[key]: dict(row.value) for key, row in rows.items()}

    def update_if_current(self, collection_flow_id, job_id, changes):
        key = job_key(collection_flow_id)
        with self.engine.begin() as connection:
            self._lock(connection, key)
            row = self._read(connection, [key]).get(key)
            if row is None or row.value.get("job_id") != job_id:
                return False
            self._put(connection, key, {**row.value, **changes}, JOB_KEY_TTL_SECONDS)
        return True

    def delete(self, collection_flow_id, job_id=None):
        job, rate = job_key(collection_flow_id), rate_limit_key(collection_flow_id)
        with self.engine.begin() as connection:
            self._lock(connection, job)
            row = self._read(connection, [job]).get(job)
            if row is not None and (job_id is None or row.value.get("job_id") == job_id):
                connection.execute(delete(JobKey).where(JobKey.key == job))
            connection.execute(delete(JobKey).where(JobKey.key == rate))


@cache
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
    )


def job_store_for(engine: Engine, settings: Settings | None = None) -> JobKeyStore:
    """Redis when REDIS_URL is set, else the table in the application database."""
    settings = settings or get_settings()
    if settings.redis_url:
        return RedisJobStore(redis_client(settings.redis_url), settings.redis_key_prefix)
    return SqlJobStore(engine)


def new_job_id() -> str:
    return str(uuid.uuid4())


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
