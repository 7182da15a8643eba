"""The body of a gap-enhancement job, run by a worker with primitives only.

Gaps are processed one by one with the tenant's persistent agent; each is upserted in its
own transaction and progress (with a heartbeat) is written after every gap. The job key is
the job's life: when it is gone (reset, Redis flushed) or holds another job, the worker stops.
"""

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import redis
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from core.enhancement.agents import AGENT_NAME, TenantScopedAgentPool
from core.enhancement.job_store import JobKeyStore
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.phases import CollectionPhase
from core.gaps.store import upsert_gap
from core.kernel.context import RequestContext
from core.storage.flows import CollectionFlowRepository
from core.storage.gaps import GapRepository
from core.storage.unit_of_work import atomic
from db.session import bind_tenant

logger = logging.getLogger(__name__)
MAX_ERRORS_KEPT = 50


class JobSuperseded(Exception):
    """The job key is gone or belongs to a newer job: stop without touching it."""


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
) -> dict[str, Any]:
    """Run (or continue, after an interruption) one job; returns its final state."""
    state = store.get(collection_flow_id)
    if state is None or state.get("job_id") != job_id:
        logger.info("gap job %s is no longer current; nothing to do", job_id)
        return {"status": "superseded", "job_id": job_id}
    submitted_by = state.get("submitted_by")
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, submitted_by)
    agent = TenantScopedAgentPool.get_or_create_agent(client_account_id, engagement_id, AGENT_NAME)

    def save(**changes: Any) -> None:
        changes["heartbeat_at"] = time.time()
        state.update(changes)
        # Only what changed: the key keeps the selection, which can be large.
        if not store.update_if_current(collection_flow_id, job_id, changes):
            raise JobSuperseded(job_id)

    try:
        with open_session() as db:
            if _flow(db, ctx, collection_flow_id) is None:
                raise LookupError("the flow no longer exists in this engagement")
            agent.prepare(db, selected_gaps)
        save(status="running")
        # A re-delivered job continues after the gaps it already finished.
        for index in range(int(state.get("processed", 0)), len(selected_gaps)):
            gap = selected_gaps[index]
            label = gap.get("asset_name") or gap["asset_id"]
            try:
                with open_session() as db, atomic(db):
                    # The gap is written for this tenant only (row-level security on PostgreSQL);
                    # a flow deleted meanwhile fails the upsert's foreign key: an error per gap.
                    bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
                    enhanced = agent.enhance_gap(db, gap)
                    upsert_gap(
                        db,
                        uuid.UUID(collection_flow_id),
                        gap["field_name"],
                        gap["gap_type"],
                        uuid.UUID(gap["asset_id"]),
                        enhanced,
                    )
            except OperationalError:
                raise  # the database is gone: fail the job, below
            except DBAPIError as error:
                if error.connection_invalidated:
                    raise
                failure = f"{label} / {gap['field_name']}: {error.orig}"
            except Exception as error:
                failure = f"{label} / {gap['field_name']}: {error}"
            else:
                failure = None
            processed = index + 1
            save(
                processed=processed,
                current_asset=label,
                percentage=round(processed * 100 / len(selected_gaps), 1),
                **(_error_changes(state, index, failure) if failure else {}),
            )
            if pause_seconds:
                time.sleep(pause_seconds)
        _progress_flow(
            open_session, ctx, collection_flow_id, len(selected_gaps) - len(state["failed_indexes"])
        )
        save(status="completed", percentage=100.0, current_asset=None)
    except LookupError as missing:
        _fail(store, collection_flow_id, job_id, state, str(missing))
    except JobSuperseded:
        logger.warning("gap job %s was reset or replaced; stopping", job_id)
        return {"status": "superseded", "job_id": job_id}
    except (OperationalError, DBAPIError) as error:
        logger.exception("gap job %s: the database is unreachable", job_id)
        _fail(
            store,
            collection_flow_id,
            job_id,
            state,
            f"The database is unreachable: {type(error.orig).__name__ if error.orig else error}",
        )
    except redis.RedisError:
        # The job key cannot be written; the heartbeat stops and the job shows as stalled.
        logger.exception("gap job %s: Redis is unreachable; the job will show as stalled", job_id)
        raise
    return state


def _flow(db: Session, ctx: RequestContext, collection_flow_id: str):
    return CollectionFlowRepository(db, ctx.client_account_id, ctx.engagement_id).get_by_id(
        uuid.UUID(collection_flow_id)
    )


def _error_changes(state: dict[str, Any], index: int, message: str) -> dict[str, Any]:
    """The state fields that record a failed gap (the job goes on with the next one)."""
    logger.warning("gap %s failed: %s", index, message)
    return {
        "failed_indexes": [*state.get("failed_indexes", []), index],
        "errors": [*state.get("errors", []), message][-MAX_ERRORS_KEPT:],
    }


def _progress_flow(
    open_session, ctx: RequestContext, collection_flow_id: str, persisted: int
) -> None:
    """The seed's auto-progression, if the flow still stands in gap_analysis."""
    with open_session() as db, atomic(db):
        repository = CollectionFlowRepository(db, ctx.client_account_id, ctx.engagement_id)
        flow = _flow(db, ctx, collection_flow_id)
        if flow is None:
            return
        flow = repository.get_by_master_flow_id(flow.flow_id, for_update=True)
        if flow.current_phase != CollectionPhase.GAP_ANALYSIS:
            return
        pending = GapRepository(db, ctx.client_account_id, ctx.engagement_id).count_pending(flow.id)
        CollectionChildFlowService(db, ctx).apply_gap_analysis_progression(
            flow, {"gaps_persisted": persisted, "has_pending_gaps": pending > 0}
        )


def _fail(
    store: JobKeyStore, collection_flow_id: str, job_id: str, state: dict, message: str
) -> None:
    changes = {
        "status": "failed",
        "errors": [*state.get("errors", []), message][-MAX_ERRORS_KEPT:],
        "heartbeat_at": time.time(),
    }
    state.update(changes)
    try:
        store.update_if_current(collection_flow_id, job_id, changes)
    except Exception:
        logger.exception("gap job %s: could not record the failure", job_id)
