"""What needs an admin's hand: failed, stalled or stuck, never a flow waiting for a person.

One incident per flow, with when it began and its one right action: a failed flow or a stuck
one is resumed (its phase runs again); a failed job, a stalled one or one whose worker went
offline is retried (it goes on with the gaps not yet done); a phase run (a long gap scan, ...)
that failed, stalled or whose worker went offline is run again on a worker (a flow failed by
its run included: resumed, it would run a long phase in the page). A live phase run keeps its
flow from being called stuck, however long it takes.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from core.enhancement.job_state import JobProgress, JobStatus
from core.enhancement.jobs import list_job_states
from core.enhancement.phase_run_health import read_phase_runs, stopped_run
from core.flows.health import is_stuck
from core.flows.phase_run import PhaseRunProgress, PhaseRunStatus
from core.kernel.permissions import Action
from core.kernel.phases import FlowStatus
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow

ACTIVE_OR_FAILED = [FlowStatus.FAILED, FlowStatus.RUNNING, FlowStatus.PAUSED]


class Trouble(StrEnum):
    FLOW_FAILED = "flow failed"
    WORKER_OFFLINE = "worker offline"
    JOB_FAILED = "job failed"
    JOB_STALLED = "job stalled"
    RUN_STALLED = "stalled"  # shown after the run's words: "gap scan stalled"
    RUN_FAILED = "failed"  # "gap scan failed"
    STUCK = "stuck"


class Remedy(StrEnum):
    RESUME = "Resume"
    RETRY_JOB = "Retry job"
    RUN_AGAIN = "Run again"


@dataclass(frozen=True)
class Incident:
    flow_id: str
    flow_name: str
    phase: str
    trouble: Trouble
    since: datetime
    remedy: Remedy
    percentage: float | None  # the job's (or run's) share done, for a job's trouble
    detail: str  # the last error, when there is one
    run: str | None = None  # what the phase run did, for a run's trouble ("gap scan")

    @property
    def trouble_words(self) -> str:
        """The trouble as people read it: "gap scan stalled", "gap scan: worker offline"."""
        if self.run is None:
            return str(self.trouble)
        if self.trouble is Trouble.WORKER_OFFLINE:
            return f"{self.run}: worker offline"
        return f"{self.run} {self.trouble}"


def list_incidents(uow: UnitOfWork) -> list[Incident]:
    """The engagement's open incidents, the oldest first."""
    uow.require(Action.VIEW)
    jobs = {job.flow_id: job.progress for job in list_job_states(uow)}
    # Paused too: a flow stands paused in asset selection while a run selects its assets.
    flows = uow.flows.list_flows(statuses=ACTIVE_OR_FAILED, limit=1000)
    by_id = {str(flow.flow_id): flow for flow in flows}
    runs = read_phase_runs(uow, flows)
    troubled = set(by_id) | {flow_id for flow_id, job in jobs.items() if job.is_retryable}
    incidents = [
        incident
        for flow_id in troubled
        if (
            incident := _incident(
                uow, flow_id, by_id.get(flow_id), jobs.get(flow_id), runs.get(flow_id)
            )
        )
    ]
    return sorted(incidents, key=lambda incident: incident.since)


def _incident(
    uow: UnitOfWork,
    flow_id: str,
    flow: CollectionFlow | None,
    job: JobProgress | None,
    run: PhaseRunProgress | None,
) -> Incident | None:
    if flow is None:
        # A broken job of a flow that has moved on (not failed, not running).
        flow = uow.flow(flow_id)
    stopped = run if stopped_run(flow, run) else None
    if flow.status == FlowStatus.FAILED:
        return _flow_failed(flow) if stopped is None else _run_trouble(flow, stopped)
    if job is not None and job.is_retryable:
        return _job_trouble(flow, job)
    if stopped is not None:
        return _run_trouble(flow, stopped)
    live = (job is not None and job.is_live) or (run is not None and run.is_live)
    if is_stuck(flow.status, flow.updated_at, live, phase=flow.current_phase):
        return _make(flow, Trouble.STUCK, flow.updated_at, Remedy.RESUME)
    return None


def _make(
    flow: CollectionFlow,
    trouble: Trouble,
    since: datetime,
    remedy: Remedy,
    percentage: float | None = None,
    detail: str = "",
    run: str | None = None,
) -> Incident:
    return Incident(
        str(flow.flow_id),
        flow.flow_name,
        flow.current_phase,
        trouble,
        since,
        remedy,
        percentage,
        detail,
        run,
    )


def _flow_failed(flow: CollectionFlow) -> Incident:
    errors = flow.master_flow.error_history
    last = errors[-1] if errors else None
    since = datetime.fromisoformat(last["timestamp"]) if last else flow.updated_at
    return _make(
        flow, Trouble.FLOW_FAILED, since, Remedy.RESUME, detail=str(last["error"]) if last else ""
    )


def _job_trouble(flow: CollectionFlow, job: JobProgress) -> Incident:
    if job.worker_offline:
        trouble = Trouble.WORKER_OFFLINE
    elif job.status is JobStatus.FAILED:
        trouble = Trouble.JOB_FAILED
    else:
        trouble = Trouble.JOB_STALLED
    # The job's last word: its end for a failure, its last heartbeat for the others.
    since = job.updated_at.astimezone(UTC)
    detail = job.errors[-1] if job.errors else ""
    return _make(flow, trouble, since, Remedy.RETRY_JOB, job.percentage, detail)


def _run_trouble(flow: CollectionFlow, progress: PhaseRunProgress) -> Incident:
    run = progress.run
    if run.status is PhaseRunStatus.FAILED:
        trouble = Trouble.RUN_FAILED
    elif progress.worker_offline:
        trouble = Trouble.WORKER_OFFLINE
    else:
        trouble = Trouble.RUN_STALLED
    # Since its last word: its failure, or the last heartbeat its worker was heard by.
    return _make(
        flow,
        trouble,
        progress.since,
        Remedy.RUN_AGAIN,
        run.percentage,
        run.failure or "",
        run.words,
    )
