"""Where phase runs are kept: the job-key idea of gap jobs, one key per flow.

A claim checks "is a run of this flow queued or running, and its worker reporting?" and takes
the key in one atomic step (a Lua script on Redis; on SQL a transaction under the flow key's
advisory lock, SQLite's BEGIN IMMEDIATE), so of two simultaneous starts exactly one runs.
Workers write only while the key still holds their run. Redis with REDIS_URL, else the
`job_keys` table of the application database (as the gap jobs' store; `phase_run_sql_store`).

A run's input (the assets an asset selection was given) is kept beside its key, as long as the
run, so that an admin can run a stopped selection again without the queued message.
"""

import json
import time
from abc import ABC, abstractmethod
from typing import Any

import redis
from sqlalchemy import Engine

from config.settings import Settings, get_settings
from core.flows.phase_run import (
    PHASE_RUN_TTL_SECONDS,
    PHASE_RUNS,
    PhaseRun,
    phase_run_input_key,
    phase_run_key,
)
from core.storage.redis_connection import reachable, redis_client

CLAIM_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if current then
  local run = cjson.decode(current)
  if (run.status == 'queued' or run.status == 'running')
     and (tonumber(ARGV[1]) - tonumber(run.heartbeat_at)) <= tonumber(ARGV[2])
     and run.run_id ~= ARGV[5] then
    return current
  end
end
redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
return false
"""

WRITE_IF_CURRENT_SCRIPT = """
local current = redis.call('GET', KEYS[1])
if not current or cjson.decode(current).run_id ~= ARGV[1] then return 0 end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
end
return 1
"""

FORGET_INPUT_SCRIPT = """
if redis.call('HGET', KEYS[1], 'run_id') == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
"""


class PhaseRunStore(ABC):
    # Whether a worker may write progress while its phase's transaction is open: not on
    # SQLite, whose one write lock that transaction holds.
    writes_beside_transactions = True

    @abstractmethod
    def claim(
        self,
        collection_flow_id: str,
        run: PhaseRun,
        *,
        stall_seconds: float,
        over: str | None = None,
    ) -> PhaseRun | None:
        """Take the flow's key for `run`: None when taken, else the run that holds it.

        `over`: the id of a run whose worker went offline, taken over even while it looks live.
        """

    @abstractmethod
    def get(self, collection_flow_id: str) -> PhaseRun | None: ...

    def get_many(self, collection_flow_ids: list[str]) -> dict[str, PhaseRun]:
        """The runs of those flows that have one, by collection flow id."""
        runs = {key: self.get(key) for key in collection_flow_ids}
        return {key: run for key, run in runs.items() if run is not None}

    @abstractmethod
    def update_if_current(self, collection_flow_id: str, run: PhaseRun) -> bool:
        """Write `run` if the key still holds its run_id; False when it is gone or another's."""

    @abstractmethod
    def delete_if_current(self, collection_flow_id: str, run_id: str) -> None: ...

    @abstractmethod
    def keep_input(self, collection_flow_id: str, run_id: str, phase_input: dict[str, Any]) -> None:
        """Keep the input `run_id` was queued with (the one kept input of the flow)."""

    @abstractmethod
    def kept_input(self, collection_flow_id: str, run_id: str) -> dict[str, Any] | None:
        """The input kept for `run_id`; None when none is kept for that run."""

    @abstractmethod
    def forget_input(self, collection_flow_id: str, run_id: str) -> None:
        """Drop the kept input if it is `run_id`'s (the run has done with it)."""


class RedisPhaseRunStore(PhaseRunStore):
    """One JSON string per flow key."""

    def __init__(self, client: redis.Redis, prefix: str = "", namespace: str = PHASE_RUNS):
        self.client = client
        self.prefix = prefix
        self.namespace = namespace
        self._claim: Any = client.register_script(CLAIM_SCRIPT)
        self._write: Any = client.register_script(WRITE_IF_CURRENT_SCRIPT)
        self._forget: Any = client.register_script(FORGET_INPUT_SCRIPT)

    def _key(self, collection_flow_id: str) -> str:
        return self.prefix + phase_run_key(collection_flow_id, self.namespace)

    def claim(
        self,
        collection_flow_id: str,
        run: PhaseRun,
        *,
        stall_seconds: float,
        over: str | None = None,
    ) -> PhaseRun | None:
        with reachable():
            holder = self._claim(
                keys=[self._key(collection_flow_id)],
                args=[
                    time.time(),
                    stall_seconds,
                    json.dumps(run.primitives()),
                    PHASE_RUN_TTL_SECONDS,
                    over or "",
                ],
            )
        return PhaseRun.from_primitives(json.loads(holder)) if holder else None

    def get(self, collection_flow_id: str) -> PhaseRun | None:
        with reachable():
            stored = self.client.get(self._key(collection_flow_id))
        return PhaseRun.from_primitives(json.loads(str(stored))) if stored else None

    def get_many(self, collection_flow_ids: list[str]) -> dict[str, PhaseRun]:
        if not collection_flow_ids:
            return {}
        with reachable():
            stored = self.client.mget([self._key(key) for key in collection_flow_ids])
        return {
            key: PhaseRun.from_primitives(json.loads(str(value)))
            for key, value in zip(collection_flow_ids, stored, strict=True)
            if value
        }

    def update_if_current(self, collection_flow_id: str, run: PhaseRun) -> bool:
        with reachable():
            written = self._write(
                keys=[self._key(collection_flow_id)],
                args=[run.run_id, json.dumps(run.primitives()), PHASE_RUN_TTL_SECONDS],
            )
        return bool(written)

    def delete_if_current(self, collection_flow_id: str, run_id: str) -> None:
        with reachable():
            self._write(keys=[self._key(collection_flow_id)], args=[run_id, "", 0])

    def _input_key(self, collection_flow_id: str) -> str:
        return self.prefix + phase_run_input_key(collection_flow_id, self.namespace)

    def keep_input(self, collection_flow_id: str, run_id: str, phase_input: dict[str, Any]) -> None:
        key = self._input_key(collection_flow_id)
        with reachable():
            pipeline = self.client.pipeline(transaction=True)
            pipeline.delete(key)
            pipeline.hset(key, "run_id", run_id)
            pipeline.hset(key, "phase_input", json.dumps(phase_input))
            pipeline.expire(key, PHASE_RUN_TTL_SECONDS)
            pipeline.execute()

    def kept_input(self, collection_flow_id: str, run_id: str) -> dict[str, Any] | None:
        with reachable():
            kept_for, kept = self.client.hmget(
                self._input_key(collection_flow_id), ["run_id", "phase_input"]
            )
        return dict(json.loads(str(kept))) if kept_for == run_id and kept else None

    def forget_input(self, collection_flow_id: str, run_id: str) -> None:
        with reachable():
            self._forget(keys=[self._input_key(collection_flow_id)], args=[run_id])


def phase_run_store_for(
    engine: Engine, settings: Settings | None = None, *, namespace: str = PHASE_RUNS
) -> PhaseRunStore:
    """Redis when REDIS_URL is set, else the job_keys table in the application database;
    `namespace` picks the flow's phase runs or its export runs."""
    settings = settings or get_settings()
    if settings.redis_url:
        client = redis_client(settings.redis_url)
        return RedisPhaseRunStore(client, settings.redis_key_prefix, namespace)
    from core.flows.phase_run_sql_store import SqlPhaseRunStore  # it builds on PhaseRunStore

    return SqlPhaseRunStore(engine, namespace)
