"""The job-key store on Redis: a hash per job key, and Lua scripts for every atomic step.

Each field of the hash is JSON: a progress write sets a few small fields and never
re-sends the submitted selection. Any Redis failure is a 503 (JobStoreUnavailable).
"""

import json
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

import redis

from core.enhancement.job_keys import (
    JOB_KEY_TTL_SECONDS,
    RATE_LIMIT_SECONDS,
    job_key,
    rate_limit_key,
)
from core.enhancement.job_state import FIELD_NAMES, JobState
from core.enhancement.job_store import (
    SELECTION_FIELD,
    Claim,
    ClaimOutcome,
    JobKeyStore,
    JobStoreUnavailable,
)
from core.enhancement.selection import SelectedGap
from core.storage.redis_connection import reachable

# Atomic claim: the active-job check first (409), then the rate limit (429), then both keys.
# The statuses are ACTIVE_JOB_STATUSES as JSON (the contract suite checks each of them).
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

PUT_BACK_SCRIPT = """
if redis.call('HGET', KEYS[1], 'job_id') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], unpack(ARGV, 3))
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
redis.call('DEL', KEYS[2])
return 1
"""


def _fields(values: dict[str, Any]) -> list[str]:
    return [item for name, value in values.items() for item in (name, json.dumps(value))]


def _state(values: Sequence[str | bytes | None]) -> JobState | None:
    """A JobState from HMGET's answer for FIELD_NAMES (all None when the key is gone)."""
    found = {name: json.loads(v) for name, v in zip(FIELD_NAMES, values, strict=True) if v}
    return JobState.from_primitives(found) if found else None


class RedisJobStore(JobKeyStore):
    def __init__(self, client: redis.Redis, prefix: str = ""):
        self.client = client
        self.prefix = prefix
        self._claim: Callable[..., Any] = client.register_script(CLAIM_SCRIPT)
        self._update: Callable[..., Any] = client.register_script(UPDATE_IF_CURRENT_SCRIPT)
        self._delete: Callable[..., Any] = client.register_script(DELETE_IF_CURRENT_SCRIPT)
        self._put_back: Callable[..., Any] = client.register_script(PUT_BACK_SCRIPT)

    def _job_key(self, collection_flow_id: str) -> str:
        return self.prefix + job_key(collection_flow_id)

    def _keys(self, collection_flow_id: str) -> list[str]:
        return [self._job_key(collection_flow_id), self.prefix + rate_limit_key(collection_flow_id)]

    def claim(
        self,
        collection_flow_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
        *,
        stall_seconds: float,
    ) -> Claim:
        values = {**state.primitives(), SELECTION_FIELD: [gap.primitives() for gap in selection]}
        with reachable(JobStoreUnavailable):
            outcome, wait_ms = self._claim(
                keys=self._keys(collection_flow_id),
                args=[
                    JOB_KEY_TTL_SECONDS,
                    RATE_LIMIT_SECONDS,
                    time.time(),
                    stall_seconds,
                    *_fields(values),
                ],
            )
        return Claim(ClaimOutcome(_text(outcome)), int(_text(wait_ms)) / 1000)

    def get(self, collection_flow_id: str) -> JobState | None:
        with reachable(JobStoreUnavailable):
            return _state(self.client.hmget(self._job_key(collection_flow_id), FIELD_NAMES))

    def get_many(self, collection_flow_ids: Sequence[str]) -> dict[str, JobState]:
        pipeline = self.client.pipeline(transaction=False)
        for flow in collection_flow_ids:
            pipeline.hmget(self._job_key(flow), FIELD_NAMES)
        with reachable(JobStoreUnavailable):
            answers = pipeline.execute()
        states = {
            flow: _state(values) for flow, values in zip(collection_flow_ids, answers, strict=True)
        }
        return {flow: state for flow, state in states.items() if state is not None}

    def get_selection(self, collection_flow_id: str) -> tuple[SelectedGap, ...]:
        with reachable(JobStoreUnavailable):
            stored = self.client.hget(self._job_key(collection_flow_id), SELECTION_FIELD)
        gaps = json.loads(stored) if stored else []
        return tuple(SelectedGap.model_validate(gap) for gap in gaps)

    def update_if_current(
        self, collection_flow_id: str, state: JobState, changed: Collection[str]
    ) -> bool:
        with reachable(JobStoreUnavailable):
            written = self._update(
                keys=[self._job_key(collection_flow_id)],
                args=[
                    json.dumps(state.job_id),
                    JOB_KEY_TTL_SECONDS,
                    *_fields(state.primitives(changed)),
                ],
            )
        return bool(written)

    def delete(self, collection_flow_id: str, job_id: str | None = None) -> None:
        with reachable(JobStoreUnavailable):
            self._delete(
                keys=self._keys(collection_flow_id),
                args=[json.dumps(job_id) if job_id else ""],
            )

    def put_back(
        self,
        collection_flow_id: str,
        job_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
    ) -> None:
        values = {**state.primitives(), SELECTION_FIELD: [gap.primitives() for gap in selection]}
        with reachable():
            self._put_back(
                keys=self._keys(collection_flow_id),
                args=[json.dumps(job_id), JOB_KEY_TTL_SECONDS, *_fields(values)],
            )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
