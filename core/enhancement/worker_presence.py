"""A worker process's own presence: what it runs now, written with each heartbeat.

The queue's hooks (jobs/heartbeats.py) tell it when a task starts and ends and call `beat`
every WORKER_HEARTBEAT_SECONDS; core knows nothing of the queue itself.
"""

import logging
import threading
import time
from typing import Any

from core.enhancement.worker_beats import (
    RunningTask,
    WorkerBeat,
    WorkerRegistry,
    this_worker_id,
    worker_registry_for,
)
from db.session import get_engine

logger = logging.getLogger(__name__)


class WorkerPresence:
    def __init__(self, registry: WorkerRegistry, worker_id: str | None = None):
        self.registry = registry
        self.worker_id = worker_id or this_worker_id()
        self.started_at = time.time()
        self._running: dict[str, RunningTask] = {}
        self._lock = threading.Lock()

    @classmethod
    def of_this_process(cls) -> "WorkerPresence":
        """This consumer process's presence, in the deployment's store (Redis or SQL)."""
        return cls(worker_registry_for(get_engine()))

    def task_started(self, task_id: str, name: str, arguments: dict[str, Any]) -> None:
        def text(key: str) -> str | None:
            value = arguments.get(key)
            return str(value) if value is not None else None

        task = RunningTask(
            task_id=task_id,
            name=name,
            client_account_id=text("client_account_id"),
            engagement_id=text("engagement_id"),
            flow_id=text("flow_id"),
            since=time.time(),
        )
        with self._lock:
            self._running[task_id] = task
        self.beat()  # what it runs shows at once, not at the next interval

    def task_ended(self, task_id: str) -> None:
        with self._lock:
            ended = self._running.pop(task_id, None)
        if ended is not None:
            self.beat()

    def beat(self) -> None:
        """Say the worker is alive; a failed write is logged, and the next beat tries again."""
        with self._lock:
            running = tuple(self._running.values())
        try:
            self.registry.beat(WorkerBeat(self.worker_id, self.started_at, time.time(), running))
        except Exception:
            logger.exception("worker %s: its heartbeat could not be written", self.worker_id)

    def leave(self) -> None:
        """A clean stop: the worker is no longer listed."""
        try:
            self.registry.remove(self.worker_id)
        except Exception:
            logger.exception("worker %s: could not be taken off the list", self.worker_id)
