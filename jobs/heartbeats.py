"""Workers report a heartbeat through Huey's own hooks: `on_startup` starts the beat of the
consumer process, `on_shutdown` takes it off the list, and task signals say what it runs.

Huey's periodic tasks run at most once a minute (its scheduler enqueues them by the minute),
too seldom for a heartbeat of a few seconds, so the beat between signals is one daemon thread
per process, started by the first worker's startup hook.
"""

import threading
from typing import Any

from huey import Huey
from huey.api import Task
from huey.signals import (
    SIGNAL_CANCELED,
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_EXECUTING,
    SIGNAL_EXPIRED,
    SIGNAL_INTERRUPTED,
    SIGNAL_LOCKED,
    SIGNAL_RATE_LIMITED,
    SIGNAL_REVOKED,
    SIGNAL_TIMEOUT,
)

from config.settings import get_settings
from core.enhancement.worker_presence import WorkerPresence

ENDED = (
    SIGNAL_COMPLETE,
    SIGNAL_ERROR,
    SIGNAL_INTERRUPTED,
    SIGNAL_TIMEOUT,
    SIGNAL_CANCELED,
    SIGNAL_REVOKED,
    SIGNAL_EXPIRED,
    SIGNAL_LOCKED,
    SIGNAL_RATE_LIMITED,
)


class _Beating:
    """This process's presence and the thread that beats for it (one per process)."""

    def __init__(self) -> None:
        self.presence: WorkerPresence | None = None
        self.stopped = threading.Event()
        self._lock = threading.Lock()

    def start(self) -> WorkerPresence:
        with self._lock:
            if self.presence is None:
                self.presence = WorkerPresence.of_this_process()
                self.presence.beat()
                threading.Thread(target=self._run, name="heartbeat", daemon=True).start()
            return self.presence

    def _run(self) -> None:
        every = get_settings().worker_heartbeat_seconds
        while not self.stopped.wait(every):
            if self.presence is not None:
                self.presence.beat()

    def stop(self) -> None:
        with self._lock:
            if self.presence is not None and not self.stopped.is_set():
                self.stopped.set()
                self.presence.leave()


def report_heartbeats(huey: Huey) -> None:
    """Bind the heartbeat hooks to a Huey instance; they run only in its consumer."""
    beating = _Beating()

    @huey.on_startup()
    def start_heartbeat() -> None:
        beating.start()

    @huey.on_shutdown()
    def stop_heartbeat() -> None:
        beating.stop()

    # Only a consumer has started beating: a process running a task itself (a test) reports
    # nothing.
    @huey.signal(SIGNAL_EXECUTING)
    def task_started(signal: str, task: Task, *args: Any, **kwargs: Any) -> None:
        if beating.presence is not None:
            beating.presence.task_started(task.id, task.name, dict(task.kwargs or {}))

    @huey.signal(*ENDED)
    def task_ended(signal: str, task: Task, *args: Any, **kwargs: Any) -> None:
        if beating.presence is not None:
            beating.presence.task_ended(task.id)
