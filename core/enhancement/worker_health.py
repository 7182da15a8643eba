"""Worker health as people read it: each worker online or offline and what it runs, the
queue's depth and its oldest waiting task, and whether a job's worker is still there."""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import redis
from sqlalchemy import Engine

from config.settings import get_settings
from core.enhancement.job_store import JobStoreUnavailable
from core.enhancement.worker_beats import WorkerBeat, worker_registry_for
from core.kernel.dispatch import QueueGauge, get_dispatcher
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork

TASK_WORDS = {"gap_enhancement_worker": "gap job", "run_flow_phase": "gap scan"}


@dataclass(frozen=True)
class RunningWork:
    what: str  # "gap job", "gap scan"
    flow_id: str | None  # None: another engagement's work, not named here
    flow_name: str | None
    since: datetime


@dataclass(frozen=True)
class WorkerShown:
    worker_id: str
    online: bool
    last_beat: datetime
    started_at: datetime
    running: tuple[RunningWork, ...]


@dataclass(frozen=True)
class WorkerHealth:
    workers: tuple[WorkerShown, ...]
    queue_depth: int | None  # None: the queue could not be read
    oldest_waiting: datetime | None  # when the oldest task waiting was queued

    @property
    def online(self) -> int:
        return sum(worker.online for worker in self.workers)


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _beats(engine: Engine) -> list[WorkerBeat]:
    try:
        return worker_registry_for(engine).workers()
    except redis.RedisError as error:
        raise JobStoreUnavailable(
            f"The workers' heartbeats are unreadable ({type(error).__name__})."
        ) from error


class RunsOnAWorker(Protocol):
    """A gap job's state or a phase run: the worker (host:pid) running it, if any."""

    @property
    def worker(self) -> str | None: ...


def online_checker(engine: Engine) -> Callable[[RunsOnAWorker], bool]:
    """Whether the worker of a job (or phase run) still reports: heartbeats read at most once."""
    offline_seconds = get_settings().worker_offline_seconds
    online: set[str] | None = None

    def check(state: RunsOnAWorker) -> bool:
        nonlocal online
        if state.worker is None:
            return True
        if online is None:
            now = time.time()
            online = {
                beat.worker_id for beat in _beats(engine) if beat.is_online(now, offline_seconds)
            }
        return state.worker in online

    return check


def any_worker_online(uow: UnitOfWork) -> bool:
    """Whether a worker reports at all: jobs wait in the queue until one does."""
    uow.require(Action.VIEW)
    now, offline_seconds = time.time(), get_settings().worker_offline_seconds
    beats = _beats(uow.session.get_bind().engine)
    return any(beat.is_online(now, offline_seconds) for beat in beats)


def read_worker_health(uow: UnitOfWork) -> WorkerHealth:
    """Every worker heard from lately, and the queue; work of other engagements is not named."""
    uow.require(Action.VIEW)
    now, offline_seconds = time.time(), get_settings().worker_offline_seconds
    beats = sorted(_beats(uow.session.get_bind().engine), key=lambda beat: beat.worker_id)
    ours = _our_flow_names(uow, {task.flow_id for beat in beats for task in beat.running})
    workers = tuple(
        WorkerShown(
            worker_id=beat.worker_id,
            online=beat.is_online(now, offline_seconds),
            last_beat=_moment(beat.beat_at),
            started_at=_moment(beat.started_at),
            running=tuple(
                RunningWork(
                    what=TASK_WORDS.get(task.name, task.name),
                    flow_id=task.flow_id if task.flow_id in ours else None,
                    flow_name=ours.get(task.flow_id or ""),
                    since=_moment(task.since),
                )
                for task in beat.running
            ),
        )
        for beat in beats
    )
    depth, oldest = _queue()
    return WorkerHealth(workers, depth, _moment(oldest) if oldest else None)


def _our_flow_names(uow: UnitOfWork, flow_ids: set[str | None]) -> dict[str, str]:
    """The names of those flows that are this engagement's (the repository scopes the read)."""
    names = {}
    for flow_id in flow_ids:
        try:
            flow = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id or ""))
        except ValueError:
            continue
        if flow is not None:
            names[str(flow_id)] = flow.flow_name
    return names


def _queue() -> tuple[int | None, float | None]:
    dispatcher = get_dispatcher()
    if not isinstance(dispatcher, QueueGauge):
        return None, None
    try:
        return dispatcher.waiting()
    except Exception:  # the queue's own errors (Redis, SQLite) as "unknown", not a broken page
        return None, None
