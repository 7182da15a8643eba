"""A gap job's state as its job key holds it, and the progress people read from it (pure)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from core.enhancement.selection import SelectedGap

MAX_ERRORS_KEPT = 50


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_active(self) -> bool:
        """Queued or running: the job blocks a new submission of its flow, unless stalled."""
        return self in ACTIVE_JOB_STATUSES


ACTIVE_JOB_STATUSES = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
ENDED_JOB_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.FAILED})


@dataclass(frozen=True)
class JobProgress:
    """What people see of a job: its progress fields, whether it stalled, the last heartbeat."""

    job_id: str
    status: JobStatus
    processed: int
    total: int
    percentage: float
    current_asset: str | None
    errors: tuple[str, ...]
    stalled: bool
    updated_at: datetime
    # The whole job across its retries: `processed` and `total` above count earlier attempts.
    retries: int = 0
    started_at: datetime | None = None  # when the current attempt's worker started
    rate_per_second: float | None = None  # gaps per second observed in the current attempt
    # The worker running it stopped reporting (WORKER_OFFLINE_SECONDS): stalled at once.
    worker_offline: bool = False
    worked_before: float = 0.0  # the workers' seconds on the earlier attempts of the job

    @property
    def elapsed_seconds(self) -> float | None:
        """The workers' time on the job until its last heartbeat: it never runs backwards (not
        when a job stalls, nor when a retry starts a new attempt); None before any worker."""
        if self.started_at is None:
            return self.worked_before or None
        attempt = max((self.updated_at - self.started_at).total_seconds(), 0.0)
        return self.worked_before + attempt

    @property
    def remaining(self) -> int:
        return max(self.total - self.processed, 0)

    @property
    def is_live(self) -> bool:
        """Queued or running, and its worker still reports."""
        return self.status.is_active and not self.stalled

    @property
    def shown_status(self) -> str:
        if self.worker_offline:
            return "worker offline"
        return "stalled" if self.stalled else str(self.status)

    @property
    def is_retryable(self) -> bool:
        return is_retryable(self.status, self.stalled)


def is_retryable(status: JobStatus, stalled: bool) -> bool:
    """A failed job, or one whose worker stopped reporting, can be retried from its job key."""
    return status is JobStatus.FAILED or stalled


@dataclass(frozen=True)
class FlowJob:
    """The current job of one flow, for lists of the engagement's jobs."""

    flow_id: str
    flow_name: str
    progress: JobProgress


@dataclass(frozen=True)
class JobState:
    """The state of one job, written at submission and after every gap.

    The job key also keeps the submitted selection (read apart, as only a retry needs it).
    """

    job_id: str
    status: JobStatus
    total: int
    processed: int = 0
    percentage: float = 0.0
    current_asset: str | None = None
    errors: tuple[str, ...] = ()
    failed_indexes: tuple[int, ...] = ()
    heartbeat_at: float = 0.0
    submitted_at: float = 0.0
    submitted_by: str | None = None
    # The job's row in the history (gap_job_records): the first attempt's job id.
    record_id: str | None = None
    # Gaps done by earlier attempts of the same job; `processed`/`total` are this attempt's.
    done_before: int = 0
    retries: int = 0
    started_at: float = 0.0  # when a worker started this attempt (0: not yet)
    worker: str | None = None  # host:pid of the worker running this attempt
    worked_before: float = 0.0  # seconds the workers spent on earlier attempts of the job

    @classmethod
    def queued(cls, job_id: str, total: int, submitted_by: str | None, now: float) -> "JobState":
        return cls(
            job_id=job_id,
            status=JobStatus.QUEUED,
            total=total,
            heartbeat_at=now,
            submitted_at=now,
            submitted_by=submitted_by,
            record_id=job_id,
        )

    def retried(
        self, job_id: str, remaining: int, submitted_by: str | None, now: float
    ) -> "JobState":
        """The next attempt of this job, for its `remaining` gaps: the history row is the same."""
        attempt = max(self.heartbeat_at - self.started_at, 0.0) if self.started_at else 0.0
        following = replace(
            JobState.queued(job_id, remaining, submitted_by, now),
            record_id=self.record_id or self.job_id,
            done_before=self.whole_total - remaining,
            retries=self.retries + 1,
            worked_before=self.worked_before + attempt,
        )
        return replace(following, percentage=following.whole_percentage(0))

    @property
    def whole_processed(self) -> int:
        """Gaps processed over every attempt of the job."""
        return self.done_before + self.processed

    @property
    def whole_total(self) -> int:
        return self.done_before + self.total

    def whole_percentage(self, processed: int) -> float:
        """The job's percentage once this attempt has processed `processed` gaps."""
        whole_total = self.whole_total
        return round((self.done_before + processed) * 100 / whole_total, 1) if whole_total else 0.0

    def rate_per_second(self, now: float | None = None) -> float | None:
        """Gaps per second this attempt has done so far; None before any is done.

        Until `now` while it runs (the time since the last gap is spent on the next one),
        until its last heartbeat once it has ended.
        """
        until = self.heartbeat_at if now is None else max(now, self.heartbeat_at)
        elapsed = until - self.started_at
        if not self.started_at or self.processed <= 0 or elapsed <= 0:
            return None
        return self.processed / elapsed

    def is_stalled(self, now: float, stall_seconds: float) -> bool:
        """Active, but its worker has not written a heartbeat within the stall limit."""
        return self.status.is_active and now - self.heartbeat_at > stall_seconds

    def is_retryable(self, now: float, stall_seconds: float) -> bool:
        return is_retryable(self.status, self.is_stalled(now, stall_seconds))

    def blocks_submission(self, now: float, stall_seconds: float) -> bool:
        return self.status.is_active and not self.is_stalled(now, stall_seconds)

    def errors_with(self, message: str) -> tuple[str, ...]:
        """The errors with `message` added, keeping the latest MAX_ERRORS_KEPT."""
        return (*self.errors, message)[-MAX_ERRORS_KEPT:]

    def remaining_gaps(self, selection: Sequence[SelectedGap]) -> tuple[SelectedGap, ...]:
        """What a retry must still do: the gaps that failed, then those not yet processed."""
        failed = [selection[i] for i in self.failed_indexes if i < self.processed]
        return (*failed, *selection[self.processed :])

    def worker_gone(self, worker_online: bool) -> bool:
        """Running on a worker that no longer reports: the attempt will not go on by itself."""
        return self.status is JobStatus.RUNNING and self.worker is not None and not worker_online

    def ended_as(self, worker_online: bool = True) -> str:
        """How this attempt ended once a retry takes over: as it ended (failed), or, left queued
        or running, stalled ("worker offline" when its worker stopped reporting)."""
        if not self.status.is_active:
            return str(self.status)
        return "worker offline" if self.worker_gone(worker_online) else "stalled"

    def progress(self, now: float, stall_seconds: float, worker_online: bool = True) -> JobProgress:
        offline = self.worker_gone(worker_online)
        return JobProgress(
            job_id=self.job_id,
            status=self.status,
            processed=self.whole_processed,
            total=self.whole_total,
            percentage=self.percentage,
            current_asset=self.current_asset,
            errors=self.errors,
            stalled=offline or self.is_stalled(now, stall_seconds),
            updated_at=datetime.fromtimestamp(self.heartbeat_at, UTC),
            retries=self.retries,
            started_at=datetime.fromtimestamp(self.started_at, UTC) if self.started_at else None,
            rate_per_second=self.rate_per_second(now if self.status.is_active else None),
            worker_offline=offline,
            worked_before=self.worked_before,
        )

    def primitives(self, only: Collection[str] | None = None) -> dict[str, Any]:
        """The fields (or `only` those) as JSON values, as the job-key stores keep them."""
        values = asdict(self)
        values["status"] = str(self.status)
        values["errors"], values["failed_indexes"] = list(self.errors), list(self.failed_indexes)
        return values if only is None else {name: values[name] for name in only}

    @classmethod
    def from_primitives(cls, values: Mapping[str, Any]) -> "JobState":
        known = {name: values[name] for name in FIELD_NAMES if name in values}
        known["status"] = JobStatus(known["status"])
        known["errors"] = tuple(known.get("errors", ()))
        known["failed_indexes"] = tuple(known.get("failed_indexes", ()))
        return cls(**known)


FIELD_NAMES = tuple(field.name for field in fields(JobState))


def progress_answer(progress: JobProgress | None) -> dict[str, Any]:
    """The progress answer (JSON values), `{"status": "not_started"}` without a job."""
    if progress is None:
        return {"status": "not_started"}
    return {
        "job_id": progress.job_id,
        "status": str(progress.status),
        "processed": progress.processed,
        "total": progress.total,
        "percentage": progress.percentage,
        "current_asset": progress.current_asset,
        "errors": list(progress.errors),
        "stalled": progress.stalled,
        "updated_at": progress.updated_at.isoformat(),
    }
