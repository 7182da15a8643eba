"""A gap job's state as its job key holds it, and the progress people read from it (pure)."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
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
    """What people see of a job: the seed's progress fields, stalled and the last heartbeat."""

    job_id: str
    status: JobStatus
    processed: int
    total: int
    percentage: float
    current_asset: str | None
    errors: tuple[str, ...]
    stalled: bool
    updated_at: datetime

    @property
    def is_live(self) -> bool:
        """Queued or running, and its worker still reports."""
        return self.status.is_active and not self.stalled

    @property
    def shown_status(self) -> str:
        return "stalled" if self.stalled else str(self.status)


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

    @classmethod
    def queued(cls, job_id: str, total: int, submitted_by: str | None, now: float) -> "JobState":
        return cls(
            job_id=job_id,
            status=JobStatus.QUEUED,
            total=total,
            heartbeat_at=now,
            submitted_at=now,
            submitted_by=submitted_by,
        )

    def is_stalled(self, now: float, stall_seconds: float) -> bool:
        """Active, but its worker has not written a heartbeat within the stall limit."""
        return self.status.is_active and now - self.heartbeat_at > stall_seconds

    def blocks_submission(self, now: float, stall_seconds: float) -> bool:
        return self.status.is_active and not self.is_stalled(now, stall_seconds)

    def errors_with(self, message: str) -> tuple[str, ...]:
        """The errors with `message` added, keeping the latest MAX_ERRORS_KEPT."""
        return (*self.errors, message)[-MAX_ERRORS_KEPT:]

    def remaining_gaps(self, selection: Sequence[SelectedGap]) -> tuple[SelectedGap, ...]:
        """What a retry must still do: the gaps that failed, then those not yet processed."""
        failed = [selection[i] for i in self.failed_indexes if i < self.processed]
        return (*failed, *selection[self.processed :])

    def progress(self, now: float, stall_seconds: float) -> JobProgress:
        return JobProgress(
            job_id=self.job_id,
            status=self.status,
            processed=self.processed,
            total=self.total,
            percentage=self.percentage,
            current_asset=self.current_asset,
            errors=self.errors,
            stalled=self.is_stalled(now, stall_seconds),
            updated_at=datetime.fromtimestamp(self.heartbeat_at, UTC),
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
    """The seed's progress endpoint answer (JSON values), `{"status": "not_started"}` without a job."""
    if progress is None:
        return {"status": "not_started"}
    answer = asdict(progress)
    answer["status"] = str(progress.status)
    answer["errors"] = list(progress.errors)
    answer["updated_at"] = progress.updated_at.isoformat()
    return answer
