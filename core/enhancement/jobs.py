"""Gap-enhancement jobs: submit, read progress, retry, reset.

Use cases take a unit of work. The two entry points for callers that hold a plain session,
`submit_gap_analysis` and `get_gap_analysis_progress`, open the unit of work over that
session and answer JSON values (an API's bodies).
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from config.settings import get_settings
from core.access import audit
from core.enhancement import job_history, progress_pass
from core.enhancement.job_state import FlowJob, JobProgress, JobState, progress_answer
from core.enhancement.job_store import ClaimOutcome, JobKeyStore, new_job_id
from core.enhancement.job_stores import job_store_for
from core.enhancement.selection import SelectedGap, distinct, parse_selection, refuse_gap
from core.enhancement.worker_health import online_checker
from core.kernel.context import RequestContext
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import Conflict, RateLimited, ServiceUnavailable
from core.kernel.permissions import Action
from core.kernel.phases import FINISHED_STATUSES
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.models import CollectionFlow
from db.session import get_engine

logger = logging.getLogger(__name__)


def submit_gap_analysis(
    db: Session, context: RequestContext, flow_id: str, selected_gaps: list[dict[str, Any]]
) -> dict[str, Any]:
    """Submit selected gaps: validate, check tenancy, take the job key, enqueue (202)."""
    with engagement_uow(context, db) as uow:
        return submit_gaps(uow, flow_id, selected_gaps)


def get_gap_analysis_progress(db: Session, context: RequestContext, flow_id: str) -> dict[str, Any]:
    """The job's progress as JSON values, or not_started."""
    with engagement_uow(context, db) as uow:
        return progress_answer(read_job_progress(uow, flow_id))


def submit_gaps(uow: UnitOfWork, flow_id: str, selected_gaps: Any) -> dict[str, Any]:
    """Validate, check tenancy, take the job key and enqueue the worker; 202-style answer."""
    uow.require(Action.SUBMIT_GAPS)
    gaps = parse_selection(selected_gaps)
    flow = uow.flow(flow_id)
    if flow.status in FINISHED_STATUSES:
        raise Conflict(f"The flow is {flow.status}; its gaps can no longer be analyzed")
    _refuse_foreign_assets(uow, gaps)
    return _enqueue(uow, flow, distinct(gaps), action="gaps_submitted", previous=None)


def read_job_progress(uow: UnitOfWork, flow_id: str) -> JobProgress | None:
    """The progress of the flow's current job; None when it has none."""
    return progress_reader(uow, flow_id)()


def progress_reader(uow: UnitOfWork, flow_id: str) -> Callable[[], JobProgress | None]:
    """Check tenancy once; the returned function then reads the one job key and nothing else."""
    uow.require(Action.VIEW)
    return _key_reader(_store(uow), str(uow.collection_flow_id(flow_id)), _engine(uow))


def watch_job(uow: UnitOfWork, flow_id: str) -> tuple[Callable[[], JobProgress | None], str]:
    """Check tenancy once: the job key's reader, and a pass that lets the browser poll it."""
    uow.require(Action.VIEW)
    job_key = str(uow.collection_flow_id(flow_id))
    reader = _key_reader(_store(uow), job_key, _engine(uow))
    return reader, progress_pass.issue(job_key, flow_id, uow.ctx)


def read_progress_by_pass(granted: progress_pass.ProgressPass) -> JobProgress | None:
    """The job key a pass names, and nothing else: the pass is the authority (no SQL)."""
    return _key_reader(job_store_for(get_engine()), granted.job_key, get_engine())()


def _key_reader(
    store: JobKeyStore, job_key: str, engine: Engine
) -> Callable[[], JobProgress | None]:
    stall_seconds = _stall_seconds()

    def read() -> JobProgress | None:
        state = store.get(job_key)
        if state is None:
            return None
        # The worker's heartbeats are read only for a running job that names its worker.
        return state.progress(time.time(), stall_seconds, online_checker(engine)(state))

    return read


def retry_gap_analysis(uow: UnitOfWork, flow_id: str) -> dict[str, Any]:
    """Re-enqueue a failed or stalled job from its job key, skipping the gaps already done."""
    uow.require(Action.RETRY_JOB)
    flow = uow.flow(flow_id)
    store = _store(uow)
    state = store.get(str(flow.id))  # a read that takes no lock, even on SQLite
    if state is None:
        raise Conflict("There is no job of this flow to retry; submit gaps instead")
    worker_online = online_checker(_engine(uow))(state)
    worker_gone = state.worker_gone(worker_online)
    if not worker_gone and not state.is_retryable(time.time(), _stall_seconds()):
        raise Conflict(f"Only failed or stalled jobs can be retried; this one is {state.status}")
    selection = store.get_selection(str(flow.id))
    gaps = state.remaining_gaps(selection)
    if not gaps:
        raise Conflict("Every gap of that job is done; nothing to retry")
    # A job whose worker is offline is taken over at once: its key no longer blocks the claim
    # (and the old worker, if it ever comes back, stops at its next write: the key is not its).
    stall_seconds = 0 if worker_gone else _stall_seconds()
    return _enqueue(
        uow,
        flow,
        gaps,
        action="job_retried",
        previous=state,
        previous_ended_as=state.ended_as(worker_online),
        previous_selection=selection,
        stall_seconds=stall_seconds,
    )


def reset_gap_job(uow: UnitOfWork, flow_id: str) -> None:
    """Admin: forget a stalled or finished job so the flow can be submitted again at once."""
    uow.require(Action.RESET_JOB)
    flow = uow.flow(flow_id)
    store = _store(uow)
    state = store.get(str(flow.id))
    if state is not None and state.blocks_submission(time.time(), _stall_seconds()):
        raise Conflict("The job is running and healthy; wait for it or for it to stall")
    _end_reads(uow)
    store.delete(str(flow.id))
    if state is not None:
        job_history.record_reset(uow, state)
    audit.record(
        uow,
        "job_reset",
        flow_id=flow.flow_id,
        job_id=state.job_id if state else None,
    )


def list_job_states(uow: UnitOfWork, *, limit: int = 500) -> list[FlowJob]:
    """The current job of each flow of the engagement that has one (one read of the store)."""
    uow.require(Action.VIEW)
    flows = {str(flow.id): flow for flow in uow.flows.list_flows(limit=limit)}
    states = _store(uow).get_many(list(flows))
    now, stall_seconds, online = time.time(), _stall_seconds(), online_checker(_engine(uow))
    return [
        FlowJob(
            flow_id=str(flows[key].flow_id),
            flow_name=flows[key].flow_name,
            progress=state.progress(now, stall_seconds, online(state)),
        )
        for key, state in states.items()
    ]


def _refuse_foreign_assets(uow: UnitOfWork, gaps: Sequence[SelectedGap]) -> None:
    asset_ids = list({gap.asset_id for gap in gaps})
    unknown: set[uuid.UUID] = set(asset_ids) - uow.assets.existing_ids(asset_ids)
    if unknown:
        index = next(i for i, gap in enumerate(gaps) if gap.asset_id in unknown)
        raise refuse_gap(index, "asset_id", "is not an asset of this engagement")


def _store(uow: UnitOfWork) -> JobKeyStore:
    return job_store_for(uow.session.get_bind().engine)


def _engine(uow: UnitOfWork) -> Engine:
    return uow.session.get_bind().engine


def _stall_seconds() -> int:
    return get_settings().job_stall_seconds


def _end_reads(uow: UnitOfWork) -> None:
    # On SQLite a transaction holds the database's write lock, which the job store needs.
    uow.commit()


def _enqueue(
    uow: UnitOfWork,
    flow: CollectionFlow,
    gaps: Sequence[SelectedGap],
    *,
    action: str,
    previous: JobState | None,
    previous_ended_as: str | None = None,
    previous_selection: Sequence[SelectedGap] = (),
    stall_seconds: float | None = None,
) -> dict[str, Any]:
    """Take the job key atomically (409 before 429), then hand the job to a worker.

    A retry (`previous`: the attempt it follows, which ended as `previous_ended_as`, over
    `previous_selection`) continues that job's count and history row, and adds its try; if it
    cannot be queued, that job goes back in its key as it was, to be retried again.
    """
    collection_flow_id, flow_id = str(flow.id), flow.flow_id
    _end_reads(uow)
    submitted_by = str(uow.ctx.user_id) if uow.ctx.user_id else None
    if previous is None:
        state = JobState.queued(new_job_id(), len(gaps), submitted_by, time.time())
    else:
        state = previous.retried(new_job_id(), len(gaps), submitted_by, time.time())
    store = _store(uow)
    stall_seconds = _stall_seconds() if stall_seconds is None else stall_seconds
    claim = store.claim(collection_flow_id, state, gaps, stall_seconds=stall_seconds)
    if claim.outcome is ClaimOutcome.CONFLICT:
        raise Conflict("A gap analysis job is already running for this flow")
    if claim.outcome is ClaimOutcome.RATE_LIMITED:
        raise RateLimited(
            f"Rate limited - wait {claim.wait_seconds:.0f}s between submissions",
            retry_after_seconds=claim.wait_seconds,
        )
    # In the history before a worker can end it: the worker completes the row it finds. The
    # audit event goes in the same commit: no job runs that the audit trail does not show.
    try:
        job_history.record_submitted(
            uow, uuid.UUID(collection_flow_id), state, previous, previous_ended_as
        )
        audit.record(uow, action, flow_id=flow_id, job_id=state.job_id, gaps=len(gaps))
        uow.commit()
    except Exception:
        _give_back(store, collection_flow_id, state, previous, previous_selection)
        raise
    try:
        get_dispatcher().enqueue_gap_enhancement(
            client_account_id=str(uow.ctx.client_account_id),
            engagement_id=str(uow.ctx.engagement_id),
            collection_flow_id=collection_flow_id,
            flow_id=str(flow_id),
            selected_gaps=[gap.primitives() for gap in gaps],
            job_id=state.job_id,
        )
    except Exception as error:
        # Nothing was queued: give the key back so the person can simply try again.
        _give_back(store, collection_flow_id, state, previous, previous_selection)
        job_history.record_withdrawn(uow, state, previous)
        audit.record(uow, "job_withdrawn", flow_id=flow_id, job_id=state.job_id)
        uow.commit()
        logger.exception("enqueue of gap job %s failed", state.job_id)
        raise ServiceUnavailable("The job queue is unreachable; nothing was submitted.") from error
    return {
        "status": "accepted",
        "message": f"Gap analysis enqueued ({len(gaps)} gaps)",
        "job_id": state.job_id,
    }


def _give_back(
    store: JobKeyStore,
    collection_flow_id: str,
    state: JobState,
    previous: JobState | None,
    previous_selection: Sequence[SelectedGap],
) -> None:
    """A job that was never queued leaves its key free; a retry's leaves the job it followed
    there as it was (failed or stalled), else the job would read running with no key."""
    if previous is None:
        store.delete(collection_flow_id, state.job_id)
    else:
        store.put_back(collection_flow_id, state.job_id, previous, previous_selection)
