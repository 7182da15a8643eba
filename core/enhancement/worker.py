"""The body of a gap-enhancement job, run by a worker with primitives only.

Gaps are processed one by one with the tenant's persistent agent; each is upserted in its
own transaction and progress (with a heartbeat) is written after every gap. The job key is
the job's life: when it is gone (reset, Redis flushed) or holds another job, the worker stops.
"""

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from core.enhancement.agents import AGENT_NAME, GapAgent, TenantScopedAgentPool
from core.enhancement.job_history import record_attempt_ended
from core.enhancement.job_state import JobState, JobStatus
from core.enhancement.job_store import JobKeyStore, JobStoreUnavailable
from core.enhancement.selection import SelectedGap
from core.enhancement.worker_beats import this_worker_id
from core.flows.child_flow_service import CollectionChildFlowService
from core.gaps.store import upsert_gap
from core.kernel.context import RequestContext
from core.kernel.permissions import Action, EngagementArchived
from core.kernel.phases import CollectionPhase
from core.storage.unit_of_work import UnitOfWork, engagement_uow

logger = logging.getLogger(__name__)


class JobSuperseded(Exception):
    """The job key is gone or belongs to a newer job: stop without touching it."""


class _Job:
    """The job's state as last written to its key, and the writing of each change."""

    def __init__(self, store: JobKeyStore, collection_flow_id: str, state: JobState):
        self.store = store
        self.collection_flow_id = collection_flow_id
        self.state = state

    def save(self, **changes: Any) -> None:
        self.state = replace(self.state, heartbeat_at=time.time(), **changes)
        # Only what changed: the key keeps the selection, which can be large.
        written = self.store.update_if_current(
            self.collection_flow_id, self.state, {*changes, "heartbeat_at"}
        )
        if not written:
            raise JobSuperseded(self.state.job_id)

    def gap_done(self, index: int, label: str, failure: str | None) -> None:
        processed = index + 1
        changes: dict[str, Any] = {
            "processed": processed,
            "current_asset": label,
            "percentage": self.state.whole_percentage(processed),
        }
        if failure is not None:
            logger.warning("gap %s failed: %s", index, failure)
            changes["failed_indexes"] = (*self.state.failed_indexes, index)
            changes["errors"] = self.state.errors_with(failure)
        self.save(**changes)

    def fail(self, message: str) -> None:
        try:
            self.save(status=JobStatus.FAILED, errors=self.state.errors_with(message))
        except Exception:
            logger.exception("gap job %s: could not record the failure", self.state.job_id)


def run_gap_enhancement_job(
    open_session: Callable[[], Session],
    store: JobKeyStore,
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    selected_gaps: list[dict[str, Any]],
    job_id: str,
    pause_seconds: float = 0.0,
) -> JobState | None:
    """Run (or continue, after an interruption) one job; its final state, None if superseded."""
    state = store.get(collection_flow_id)
    if state is None or state.job_id != job_id:
        logger.info("gap job %s is no longer current; nothing to do", job_id)
        return None
    job = _Job(store, collection_flow_id, state)
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, state.submitted_by)
    gaps = [SelectedGap.model_validate(gap) for gap in selected_gaps]
    try:
        with open_session() as db, engagement_uow(ctx, db) as uow:
            _enhance_all(uow, job, uuid.UUID(collection_flow_id), gaps, pause_seconds)
            _progress_flow(uow, uuid.UUID(collection_flow_id), gaps, job.state)
        job.save(status=JobStatus.COMPLETED, percentage=100.0, current_asset=None)
    except LookupError as missing:
        job.fail(str(missing))
    except EngagementArchived as archived:
        logger.warning("gap job %s: its engagement was archived; nothing more written", job_id)
        job.fail(archived.message)
    except JobSuperseded:
        logger.warning("gap job %s was reset or replaced; stopping", job_id)
        return None
    except (OperationalError, DBAPIError) as error:
        logger.exception("gap job %s: the database is unreachable", job_id)
        reason = type(error.orig).__name__ if error.orig else error
        job.fail(f"The database is unreachable: {reason}")
    except JobStoreUnavailable:
        # The job key cannot be written; the heartbeat stops and the job shows as stalled.
        logger.exception(
            "gap job %s: the job store is unreachable; it will show as stalled", job_id
        )
        raise
    _record_end(open_session, ctx, uuid.UUID(collection_flow_id), job.state)
    return job.state


def _record_end(
    open_session: Callable[[], Session],
    ctx: RequestContext,
    collection_flow_id: uuid.UUID,
    state: JobState,
) -> None:
    """Write the attempt's end into the job's history row; the job key already says it."""
    try:
        with open_session() as db, engagement_uow(ctx, db) as uow:
            record_attempt_ended(uow, collection_flow_id, state)
    except (OperationalError, DBAPIError):
        logger.exception("gap job %s: its end could not be written to the history", state.job_id)


def _enhance_all(
    uow: UnitOfWork,
    job: _Job,
    collection_flow_id: uuid.UUID,
    gaps: Sequence[SelectedGap],
    pause_seconds: float,
) -> None:
    agent = TenantScopedAgentPool.get_or_create_agent(
        str(uow.ctx.client_account_id), str(uow.ctx.engagement_id), AGENT_NAME
    )
    # Accepted at submission; an engagement archived since is read-only to the job too.
    uow.require(Action.SUBMIT_GAPS)
    # The flow's row without its selection (megabytes at 100,000 assets): the job needs none.
    if uow.flows.get_without_selection(collection_flow_id) is None:
        raise LookupError("the flow no longer exists in this engagement")
    uow.commit()  # ends the reads: on SQLite their transaction holds the lock the job key needs
    # Running from the moment a worker holds it: training the engagement's model (seconds on
    # a first job) is the job's work, not a wait in the queue.
    job.save(
        status=JobStatus.RUNNING,
        started_at=job.state.started_at or time.time(),
        worker=this_worker_id(),
    )
    agent.prepare(uow, gaps)
    uow.commit()
    # A re-delivered job continues after the gaps it already finished.
    for index in range(job.state.processed, len(gaps)):
        uow.require(Action.SUBMIT_GAPS)  # archived meanwhile: the gaps written so far stay
        failure = _enhance_one(uow, agent, collection_flow_id, gaps[index])
        job.gap_done(index, gaps[index].label, failure)
        if pause_seconds:
            time.sleep(pause_seconds)


def _enhance_one(
    uow: UnitOfWork, agent: GapAgent, collection_flow_id: uuid.UUID, gap: SelectedGap
) -> str | None:
    """Enhance and upsert one gap in a transaction of its own; what went wrong, or None.

    The gap is written for this tenant only (row-level security on PostgreSQL); a flow
    deleted meanwhile fails the upsert's foreign key: an error of this gap, not of the job.
    """
    try:
        enhanced = agent.enhance_gap(uow, gap)
        upsert_gap(
            uow.session,
            collection_flow_id,
            gap.field_name,
            gap.gap_type,
            gap.asset_id,
            enhanced,
        )
        uow.commit()
        return None
    except OperationalError:
        raise  # the database is gone: the job fails
    except DBAPIError as error:
        if error.connection_invalidated:
            raise
        uow.rollback()
        return f"{gap.label} / {gap.field_name}: {error.orig}"
    except Exception as error:
        uow.rollback()
        return f"{gap.label} / {gap.field_name}: {error}"


def _progress_flow(
    uow: UnitOfWork, collection_flow_id: uuid.UUID, gaps: Sequence[SelectedGap], state: JobState
) -> None:
    """Move the flow on after its job, as after a gap scan, if it still stands in gap analysis."""
    flow = uow.flows.get_without_selection(collection_flow_id, for_update=True)
    if flow is None or flow.current_phase != CollectionPhase.GAP_ANALYSIS:
        return
    persisted = len(gaps) - len(state.failed_indexes)
    pending = uow.gaps.count_pending(flow.id)
    CollectionChildFlowService(uow.session, uow.ctx).apply_gap_analysis_progression(
        flow, {"gaps_persisted": persisted, "has_pending_gaps": pending > 0}
    )
