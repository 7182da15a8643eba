"""Workers' heartbeats: each worker process says, every few seconds, that it is alive and what
it runs; a worker not heard from for a few intervals is offline (WORKER_OFFLINE_SECONDS).

One small interface with two stores, as the job keys have: a Redis hash with REDIS_URL, else
rows of the job-key table of the application database (the embedded default).
"""

import json
import os
import socket
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import Engine, delete, select

from config.settings import Settings, get_settings
from core.storage import dialect
from core.storage.redis_connection import redis_client
from db.models import JobKey

REGISTRY_KEY = "collection:workers"  # the Redis hash of every worker's last beat
SQL_KEY_PREFIX = "worker:"  # a job_keys row per worker on the embedded default
FORGET_AFTER_SECONDS = 3600  # an offline worker is listed for an hour, then forgotten


def this_worker_id() -> str:
    """host:pid: one consumer process, whatever number of worker threads it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class RunningTask:
    """A task a worker runs now: which kind, for which tenant and flow, since when."""

    task_id: str
    name: str  # the task's name on the queue (gap_enhancement_worker, run_flow_phase)
    client_account_id: str | None
    engagement_id: str | None
    flow_id: str | None
    since: float


@dataclass(frozen=True)
class WorkerBeat:
    worker_id: str
    started_at: float
    beat_at: float
    running: tuple[RunningTask, ...] = field(default_factory=tuple)

    def is_online(self, now: float, offline_seconds: float) -> bool:
        return now - self.beat_at <= offline_seconds

    def primitives(self) -> dict[str, Any]:
        return {**asdict(self), "running": [asdict(task) for task in self.running]}

    @classmethod
    def from_primitives(cls, values: dict[str, Any]) -> "WorkerBeat":
        running = tuple(RunningTask(**task) for task in values.get("running", ()))
        return cls(values["worker_id"], values["started_at"], values["beat_at"], running)


class WorkerRegistry(ABC):
    @abstractmethod
    def beat(self, worker: WorkerBeat) -> None:
        """Record the worker's latest beat (what it runs included)."""

    @abstractmethod
    def remove(self, worker_id: str) -> None:
        """A worker that stopped cleanly is no longer listed."""

    @abstractmethod
    def workers(self) -> list[WorkerBeat]:
        """Every worker heard from within the last hour, online or not."""

    def is_online(self, worker_id: str, now: float, offline_seconds: float) -> bool:
        return any(
            worker.worker_id == worker_id and worker.is_online(now, offline_seconds)
            for worker in self.workers()
        )


class RedisWorkerRegistry(WorkerRegistry):
    def __init__(self, client: redis.Redis, prefix: str = ""):
        self.client, self.key = client, prefix + REGISTRY_KEY

    def beat(self, worker: WorkerBeat) -> None:
        self.client.hset(self.key, worker.worker_id, json.dumps(worker.primitives()))

    def remove(self, worker_id: str) -> None:
        self.client.hdel(self.key, worker_id)

    def workers(self) -> list[WorkerBeat]:
        return self._kept(self.client.hgetall(self.key))

    def is_online(self, worker_id: str, now: float, offline_seconds: float) -> bool:
        stored = self.client.hget(self.key, worker_id)
        return bool(stored) and WorkerBeat.from_primitives(json.loads(str(stored))).is_online(
            now, offline_seconds
        )

    def _kept(self, stored: Any) -> list[WorkerBeat]:
        beats = [WorkerBeat.from_primitives(json.loads(value)) for value in stored.values()]
        cutoff = datetime.now(UTC).timestamp() - FORGET_AFTER_SECONDS
        forgotten = [beat.worker_id for beat in beats if beat.beat_at < cutoff]
        if forgotten:
            self.client.hdel(self.key, *forgotten)
        return [beat for beat in beats if beat.beat_at >= cutoff]


class SqlWorkerRegistry(WorkerRegistry):
    def __init__(self, engine: Engine):
        self.engine = engine

    def beat(self, worker: WorkerBeat) -> None:
        key = SQL_KEY_PREFIX + worker.worker_id
        value = worker.primitives()
        expires_at = datetime.now(UTC) + timedelta(seconds=FORGET_AFTER_SECONDS)
        with self.engine.begin() as connection:
            statement = dialect.insert(connection, JobKey).values(
                key=key, value=value, expires_at=expires_at
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["key"], set_={"value": value, "expires_at": expires_at}
                )
            )

    def remove(self, worker_id: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(JobKey).where(JobKey.key == SQL_KEY_PREFIX + worker_id))

    def workers(self) -> list[WorkerBeat]:
        query = select(JobKey.value).where(
            JobKey.key.startswith(SQL_KEY_PREFIX), JobKey.expires_at > datetime.now(UTC)
        )
        with self.engine.connect().execution_options(sqlite_read_only=True) as connection:
            return [WorkerBeat.from_primitives(dict(value)) for value in connection.scalars(query)]


def worker_registry_for(engine: Engine, settings: Settings | None = None) -> WorkerRegistry:
    """Redis when REDIS_URL is set, else the job_keys table (as the job keys themselves)."""
    settings = settings or get_settings()
    if settings.redis_url:
        return RedisWorkerRegistry(redis_client(settings.redis_url), settings.redis_key_prefix)
    return SqlWorkerRegistry(engine)
