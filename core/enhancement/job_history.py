"""The history of gap jobs: written at submission, retry and each attempt's end; read whole.

The job key holds a running attempt's live progress (written after every gap) and expires;
the `gap_jobs` row and its tries (`gap_job_attempts`, job_attempts.py) are written only when
a job is submitted or retried and when a worker ends an attempt, so a tick of progress never
costs a database write. Reads lay the live progress of a flow's current job over its rows.
"""

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row

from config.settings import get_settings
from core.enhancement import job_attempts
from core.enhancement.job_attempts import JobAttempt
from core.enhancement.job_state import MAX_ERRORS_KEPT, JobState, JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.job_timing import eta_seconds, observed_rate
from core.enhancement.worker_health import online_checker
from core.kernel.permissions import Action
from core.storage.gap_jobs import GapJobRepository
from core.storage.unit_of_work import UnitOfWork
from db.models import GapJob

RESET = "reset"  # the outcome of a job an admin forgot before it ended
ACTIVE = (str(JobStatus.QUEUED), str(JobStatus.RUNNING))


@dataclass(frozen=True)
class JobRecord:
    """One job as people see it in a Jobs view, its retries included."""

    job_id: str
    flow_id: str
    flow_name: str
    submitted_by: str | None
    submitted_at: datetime
    finished_at: datetime | None
    status: str  # queued, running, stalled, worker offline, completed, failed or reset
    processed: int
    total: int
    failed: int
    retries: int
    errors: tuple[str, ...]
    running_seconds: float  # the workers' time so far, over every attempt
    heartbeat_at: datetime | None  # the live job's last heartbeat; None once it has ended
    retried_by: str | None = None  # who retried it last, by name
    attempts: tuple[JobAttempt, ...] = ()  # every try, the failed and stalled ones kept

    @property
    def percentage(self) -> float:
        return round(self.processed * 100 / self.total, 1) if self.total else 0.0

    @property
    def rate_per_second(self) -> float | None:
        return observed_rate(self.processed, self.running_seconds)

    @property
    def eta_seconds(self) -> float | None:
        """Until the job ends at its observed rate; None when it is not running."""
        if self.status not in ACTIVE:
            return None
        return eta_seconds(self.total - self.processed, self.rate_per_second)


def _repository(uow: UnitOfWork) -> GapJobRepository:
    return GapJobRepository(uow.session, uow.ctx.client_account_id, uow.ctx.engagement_id)


def _row(uow: UnitOfWork, state: JobState) -> GapJob | None:
    """The job's history row; None for a job written before the history (or not by us)."""
    try:
        record_id = uuid.UUID(state.record_id or state.job_id)
    except ValueError:
        return None
    return _repository(uow).get(record_id)


def _moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def record_submitted(
    uow: UnitOfWork,
    collection_flow_id: uuid.UUID,
    state: JobState,
    previous: JobState | None,
    previous_ended_as: str | None = None,
) -> None:
    """A new job gets its row and its first try; a retry (`previous`: the attempt it follows,
    which ended as `previous_ended_as` when nobody ended it) updates the row and adds a try."""
    record_id = uuid.UUID(state.record_id or state.job_id)
    repository = _repository(uow)
    if previous is not None:
        job_attempts.take_over(
            repository, record_id, previous, previous_ended_as or previous.ended_as()
        )
    _record_job(uow, collection_flow_id, state, previous)
    uow.session.flush()  # the job's row before its try's (its foreign key)
    job_attempts.add_attempt(repository, record_id, state)


def _record_job(
    uow: UnitOfWork, collection_flow_id: uuid.UUID, state: JobState, previous: JobState | None
) -> None:
    row = _row(uow, previous) if previous is not None else None
    if row is None:
        _repository(uow).add(
            GapJob(
                id=uuid.UUID(state.record_id or state.job_id),
                collection_flow_id=collection_flow_id,
                submitted_by=uuid.UUID(state.submitted_by) if state.submitted_by else None,
                submitted_at=_moment(state.submitted_at),
                status=str(JobStatus.QUEUED),
                total=state.whole_total,
                processed=state.done_before,
                failed=0,
                retries=state.retries,
                running_seconds=0.0,
                errors=[],
            )
        )
        return
    if previous is not None and previous.status.is_active and previous.started_at:
        # A stalled attempt never recorded its end: count the time it was seen working.
        row.running_seconds += max(previous.heartbeat_at - previous.started_at, 0.0)
    row.status, row.retries, row.finished_at = str(JobStatus.QUEUED), state.retries, None
    row.retried_by = uuid.UUID(state.submitted_by) if state.submitted_by else None
    row.processed = state.done_before


def record_withdrawn(uow: UnitOfWork, state: JobState, previous: JobState | None) -> None:
    """Nothing was queued after all: a new job's row goes, a retry's row is as it was (its job
    is back in the job key, failed or stalled, to be retried again)."""
    row = _row(uow, state)
    if row is None:
        return
    job_attempts.withdraw(_repository(uow), row.id, state, previous)
    if previous is None:
        uow.session.delete(row)
        return
    row.status, row.retries = str(previous.status), previous.retries
    row.processed = previous.whole_processed
    # A stalled job never recorded an end; a failed one ended at its last word.
    row.finished_at = None if previous.status.is_active else _moment(previous.heartbeat_at)
    # Who started the try before is who retried the job last (nobody, for its first try).
    retrier = previous.submitted_by if previous.retries else None
    row.retried_by = uuid.UUID(retrier) if retrier else None


def record_attempt_ended(uow: UnitOfWork, collection_flow_id: uuid.UUID, state: JobState) -> None:
    """The worker's last word on an attempt: what it did, how long it took, how it ended."""
    row = _row(uow, state)
    if row is None or row.collection_flow_id != collection_flow_id:
        return  # submitted before the history existed: nothing to complete
    now = time.time()
    job_attempts.end_attempt(_repository(uow), row.id, state, _moment(now))
    if state.retries != row.retries:
        return  # a try that a retry took over: the job's row is the newer try's
    if state.started_at:
        row.started_at = row.started_at or _moment(state.started_at)
        row.running_seconds += max(state.heartbeat_at - state.started_at, 0.0)
    row.status = str(state.status)
    row.processed = state.whole_processed
    row.failed = len(state.failed_indexes)
    row.errors = [*row.errors, *state.errors][-MAX_ERRORS_KEPT:]
    row.finished_at = _moment(now)


def record_reset(uow: UnitOfWork, state: JobState) -> None:
    """An admin forgot the job before it ended: its row says so instead of 'running' forever."""
    row = _row(uow, state)
    if row is not None and row.status in ACTIVE:
        row.status, row.finished_at = RESET, _moment(time.time())
        job_attempts.reset_attempt(_repository(uow), row.id, state, row.finished_at)


def list_jobs(uow: UnitOfWork, flow_id: str | None = None, *, limit: int = 200) -> list[JobRecord]:
    """The engagement's jobs (or one flow's), newest first, the running ones with live progress."""
    uow.require(Action.VIEW)
    collection_flow_id = uow.collection_flow_id(flow_id) if flow_id is not None else None
    repository = _repository(uow)
    rows = repository.list_jobs(collection_flow_id=collection_flow_id, limit=limit)
    tries = repository.attempts_of([job.id for job, *_ in rows])
    active = {str(job.collection_flow_id) for job, *_ in rows if job.status in ACTIVE}
    engine = uow.session.get_bind().engine
    live = job_store_for(engine).get_many(sorted(active)) if active else {}
    now, stall_seconds, online = (
        time.time(),
        get_settings().job_stall_seconds,
        online_checker(engine),
    )
    return [
        to_record(
            job,
            str(flow),
            name,
            who,
            live.get(str(job.collection_flow_id)),
            now,
            stall_seconds,
            online,
            retried_by,
            tries.get(job.id, ()),
        )
        for job, flow, name, who, retried_by in rows
    ]


def to_record(
    job: GapJob,
    flow_id: str,
    flow_name: str,
    submitted_by: str | None,
    live: JobState | None,
    now: float,
    stall_seconds: float,
    online: Callable[[JobState], bool] = lambda state: True,
    retried_by: str | None = None,
    attempts: Sequence[Row[Any]] = (),
) -> JobRecord:
    """The row as people see it; the live job key's progress over it if it is this job's."""
    record = JobRecord(
        job_id=str(job.id),
        flow_id=flow_id,
        flow_name=flow_name,
        submitted_by=submitted_by,
        submitted_at=job.submitted_at,
        finished_at=job.finished_at,
        status=job.status,
        processed=job.processed,
        total=job.total,
        failed=job.failed,
        retries=job.retries,
        errors=tuple(job.errors),
        running_seconds=job.running_seconds,
        heartbeat_at=None,
        retried_by=retried_by,
        attempts=job_attempts.to_attempts(attempts, None, None),
    )
    if live is None or (live.record_id or live.job_id) != str(job.id):
        return record
    if not live.status.is_active and job.status not in ACTIVE:
        return record  # ended, and its end is written: the rows say it all
    shown = str(live.status)
    if live.worker_gone(online(live)):
        shown = "worker offline"
    elif live.is_stalled(now, stall_seconds):
        shown = "stalled"
    # A running attempt has worked until now; a stalled or ended one until its last heartbeat.
    until = max(now, live.heartbeat_at) if shown == JobStatus.RUNNING else live.heartbeat_at
    attempt_seconds = max(until - live.started_at, 0.0) if live.started_at else 0.0
    return replace(
        record,
        status=shown,
        processed=live.whole_processed,
        total=live.whole_total,
        failed=len(live.failed_indexes),
        errors=(*record.errors, *live.errors)[-MAX_ERRORS_KEPT:],
        running_seconds=job.running_seconds + attempt_seconds,
        heartbeat_at=_moment(live.heartbeat_at) if live.status.is_active else None,
        attempts=job_attempts.to_attempts(attempts, live, shown),
    )
