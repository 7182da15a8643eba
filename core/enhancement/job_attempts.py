"""Every try of a gap job, as a grid of task tries keeps them: the submission is try 1, each
retry the next. A try that a retry took over keeps how it ended (failed, stalled, its worker
offline), what it did, its errors and its worker, and names who started it.

Written with the job's history row (job_history.py), never on a tick of progress: when a try
is queued, when a retry takes over from it, and when its worker ends it. The running try's
figures are read from the job key.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from core.enhancement.job_state import JobState, JobStatus
from core.storage.gap_jobs import GapJobRepository
from db.models import GapJobAttempt

OPEN = (str(JobStatus.QUEUED), str(JobStatus.RUNNING))  # a try nobody has ended yet


@dataclass(frozen=True)
class JobAttempt:
    """One try as people see it."""

    number: int
    started_by: str | None  # by name: the submitter for try 1, the retrier for the others
    queued_at: datetime
    started_at: datetime | None  # when a worker took it
    ended_at: datetime | None  # a stalled try: its last heartbeat
    status: str  # queued, running, completed, failed, stalled, worker offline or reset
    processed: int
    total: int
    failed: int
    errors: tuple[str, ...]
    worker: str | None  # host:pid
    heartbeat_at: datetime | None = None  # the running try's last heartbeat

    @property
    def running_seconds(self) -> float | None:
        """The worker's time on the try, to its end or last heartbeat; None before a worker."""
        until = self.ended_at or self.heartbeat_at
        if self.started_at is None or until is None:
            return None
        return max((until - self.started_at).total_seconds(), 0.0)


def number_of(state: JobState) -> int:
    return state.retries + 1


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def add_attempt(repository: GapJobRepository, gap_job_id: uuid.UUID, state: JobState) -> None:
    """The try `state` starts, queued, started by whoever submitted or retried the job."""
    repository.add(
        GapJobAttempt(
            id=uuid.UUID(state.job_id),
            gap_job_id=gap_job_id,
            number=number_of(state),
            started_by=uuid.UUID(state.submitted_by) if state.submitted_by else None,
            queued_at=_moment(state.submitted_at),
            status=str(JobStatus.QUEUED),
            total=state.total,
            processed=0,
            failed=0,
            errors=[],
        )
    )


def _end(row: GapJobAttempt, state: JobState, status: str, ended_at: datetime) -> None:
    row.status, row.ended_at = status, ended_at
    if state.started_at:
        row.started_at = _moment(state.started_at)
    row.processed, row.failed = state.processed, len(state.failed_indexes)
    row.errors = list(state.errors)
    row.worker = state.worker or row.worker


def end_attempt(
    repository: GapJobRepository, gap_job_id: uuid.UUID, state: JobState, ended_at: datetime
) -> None:
    """The worker's last word on its try; a try a retry already took over keeps its ending."""
    row = repository.attempt(gap_job_id, number_of(state))
    if row is not None and row.status in OPEN:
        _end(row, state, str(state.status), ended_at)


def take_over(
    repository: GapJobRepository, gap_job_id: uuid.UUID, previous: JobState, left_as: str
) -> None:
    """A retry follows `previous`: its try, if nobody ended it, ends as `left_as` at its last
    heartbeat (its worker was killed, or stopped reporting)."""
    row = repository.attempt(gap_job_id, number_of(previous))
    if row is not None and row.status in OPEN:
        _end(row, previous, left_as, _moment(previous.heartbeat_at))


def withdraw(
    repository: GapJobRepository,
    gap_job_id: uuid.UUID,
    state: JobState,
    previous: JobState | None = None,
) -> None:
    """Nothing was queued: the new try goes, and a try it took over (`previous`, back in the
    job key) is open again, as its key says it is; a failed one kept its ending."""
    row = repository.attempt(gap_job_id, number_of(state))
    if row is not None:
        repository.db.delete(row)
        repository.db.flush()  # before its job's row, if that goes too
    if previous is not None and previous.status.is_active:
        taken_over = repository.attempt(gap_job_id, number_of(previous))
        if taken_over is not None:
            taken_over.status, taken_over.ended_at = str(previous.status), None


def reset_attempt(
    repository: GapJobRepository, gap_job_id: uuid.UUID, state: JobState, ended_at: datetime
) -> None:
    """An admin forgot the job: its open try ends "reset", with what it had done."""
    row = repository.attempt(gap_job_id, number_of(state))
    if row is not None and row.status in OPEN:
        _end(row, state, "reset", ended_at)


def to_attempts(
    rows: Sequence[Row[Any]], live: JobState | None, shown: str | None
) -> tuple[JobAttempt, ...]:
    """The tries as people see them (`rows`: GapJobRepository.attempts_of's); the job key's
    live try (`shown`: its status in words) over its row."""
    attempts = [
        JobAttempt(
            number=row.number,
            started_by=row.started_by_name,
            queued_at=row.queued_at,
            started_at=row.started_at,
            ended_at=row.ended_at,
            status=row.status,
            processed=row.processed,
            total=row.total,
            failed=row.failed,
            errors=tuple(row.errors),
            worker=row.worker,
        )
        for row in rows
    ]
    if live is None or shown is None:
        return tuple(attempts)
    return tuple(
        _live(attempt, live, shown) if attempt.number == number_of(live) else attempt
        for attempt in attempts
    )


def _live(attempt: JobAttempt, live: JobState, shown: str) -> JobAttempt:
    return replace(
        attempt,
        status=shown,
        started_at=_moment(live.started_at) if live.started_at else attempt.started_at,
        ended_at=None if live.status.is_active else _moment(live.heartbeat_at),
        processed=live.processed,
        total=live.total,
        failed=len(live.failed_indexes),
        errors=live.errors,
        worker=live.worker or attempt.worker,
        heartbeat_at=_moment(live.heartbeat_at) if live.status.is_active else None,
    )
