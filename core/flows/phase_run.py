"""A phase run: a long phase of one flow (asset selection, gap scan, questionnaire generation)
queued for a worker, as its key in the phase-run store holds it (pure).

One key per flow: a flow stands in one phase at a time, so a second start of any long phase
while one is queued or running (and its worker still reports) is refused.
"""

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from core.catalogue.labels import run_words

PHASE_RUN_TTL_SECONDS = 24 * 3600  # how long an ended run (and its failure) stays shown
PHASE_RUNS = "flow_phase_run"  # the phases that move a flow on: one at a time per flow
EXPORT_RUNS = "flow_export_run"  # a whole flow's exports: one at a time per flow, beside them
EXPORT = "export"  # the "phase" an export run runs
SEND_RUNS = "flow_request_send"  # mailing a flow's owners their requests: one at a time per flow
SEND_REQUESTS = "send_requests"  # the "phase" a send run runs


class RunSuperseded(Exception):
    """The flow's key is gone or holds a newer run (an admin ran it again): the stopped run
    stops writing, and its phase is rolled back without failing the flow the new run runs."""


def phase_run_key(collection_flow_id: uuid.UUID | str, namespace: str = PHASE_RUNS) -> str:
    return f"{namespace}:{collection_flow_id}"


def phase_run_input_key(collection_flow_id: uuid.UUID | str, namespace: str = PHASE_RUNS) -> str:
    """Where a run's input (the assets an asset selection was given) is kept, beside its key."""
    return f"{namespace}_input:{collection_flow_id}"


# What a run counts, done of total (an export counts nothing: one file).
UNITS = {EXPORT: "", SEND_REQUESTS: "owners"}


class PhaseRunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_active(self) -> bool:
        return self in (PhaseRunStatus.QUEUED, PhaseRunStatus.RUNNING)


@dataclass(frozen=True)
class PhaseRun:
    """The run's state: the phases it runs in order, the one it is at, done of total."""

    run_id: str
    phases: tuple[str, ...]
    status: PhaseRunStatus
    phase: str
    total: int = 0
    done: int = 0
    submitted_at: float = 0.0
    submitted_by: str | None = None
    started_at: float = 0.0
    heartbeat_at: float = 0.0
    failure: str | None = None  # one sentence, in people's words
    # What the run makes beside the database's rows (an export: what, format, the file's name).
    output: dict[str, str] = field(default_factory=dict)
    worker: str | None = None  # host:pid of the worker running it, from when it runs

    @classmethod
    def queued(
        cls,
        phases: tuple[str, ...],
        total: int,
        submitted_by: str | None,
        now: float,
        output: dict[str, str] | None = None,
    ) -> "PhaseRun":
        return cls(
            output=dict(output or {}),
            run_id=str(uuid.uuid4()),
            phases=phases,
            status=PhaseRunStatus.QUEUED,
            phase=phases[0],
            total=total,
            submitted_at=now,
            submitted_by=submitted_by,
            heartbeat_at=now,
        )

    def is_stalled(self, now: float, stall_seconds: float) -> bool:
        """Active, but its worker has not written a heartbeat within the stall limit."""
        return self.status.is_active and now - self.heartbeat_at > stall_seconds

    def blocks_start(self, now: float, stall_seconds: float) -> bool:
        return self.status.is_active and not self.is_stalled(now, stall_seconds)

    def worker_gone(self, worker_online: bool) -> bool:
        """Running on a worker that no longer reports: the run will not go on by itself."""
        return (
            self.status is PhaseRunStatus.RUNNING and self.worker is not None and not worker_online
        )

    @property
    def percentage(self) -> float:
        if self.status is PhaseRunStatus.COMPLETED:
            return 100.0
        return round(min(self.done, self.total) * 100 / self.total, 1) if self.total else 0.0

    @property
    def words(self) -> str:
        """What the run does, as people say it ("gap scan")."""
        return run_words(self.phase)

    @property
    def unit(self) -> str:
        """What done and total count ("assets", "owners"); empty when the run counts nothing."""
        return UNITS.get(self.phase, "assets")

    def primitives(self) -> dict[str, Any]:
        values = asdict(self)
        values["status"] = str(self.status)
        values["phases"] = list(self.phases)
        return values

    @classmethod
    def from_primitives(cls, values: Mapping[str, Any]) -> "PhaseRun":
        known = {name: values[name] for name in FIELD_NAMES if name in values}
        known["status"] = PhaseRunStatus(known["status"])
        known["phases"] = tuple(known.get("phases", ()))
        known["output"] = dict(known.get("output") or {})
        return cls(**known)

    def with_changes(self, now: float, **changes: Any) -> "PhaseRun":
        return replace(self, heartbeat_at=now, **changes)


FIELD_NAMES = tuple(field.name for field in fields(PhaseRun))


@dataclass(frozen=True)
class PhaseRunProgress:
    """What people see of a run: its state, and whether its worker stopped reporting."""

    run: PhaseRun
    stalled: bool
    # The worker running it stopped reporting (WORKER_OFFLINE_SECONDS): stalled at once.
    worker_offline: bool = False

    @property
    def is_live(self) -> bool:
        return self.run.status.is_active and not self.stalled

    @property
    def shown_status(self) -> str:
        if self.worker_offline:
            return "worker offline"
        return "stalled" if self.stalled else str(self.run.status)

    @property
    def since(self) -> datetime:
        """Its last word: the last heartbeat of a stalled run, the end of an ended one."""
        return datetime.fromtimestamp(self.run.heartbeat_at, UTC)

    @classmethod
    def of(
        cls, run: PhaseRun | None, now: float, stall_seconds: float, worker_online: bool = True
    ) -> "PhaseRunProgress | None":
        if run is None:
            return None
        offline = run.worker_gone(worker_online)
        return cls(run, offline or run.is_stalled(now, stall_seconds), offline)
