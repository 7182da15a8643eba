"""Gap-enhancement jobs: submit, read progress, retry, reset (the seed's endpoints as use cases)."""

import logging
import time
import uuid
from typing import Any

import redis
from sqlalchemy.orm import Session

from core.access import audit
from core.catalogue.attributes import GapType, get_attribute
from core.enhancement.job_keys import (
    FINISHED_STATUSES,
    MAX_GAPS_PER_JOB,
    is_stalled,
    progress_view,
    remaining_gaps,
)
from core.enhancement.job_store import ACCEPTED, CONFLICT, JobKeyStore, job_store_for, new_job_id
from core.flows.phases import FINISHED_STATUSES as FINISHED_FLOW_STATUSES
from core.flows.reads import get_flow
from core.kernel.context import RequestContext
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import BadRequest, Conflict, RateLimited, ServiceUnavailable
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action, require
from core.storage.assets import AssetRepository
from core.storage.flows import CollectionFlowRepository
from core.storage.unit_of_work import atomic, uow_for
from db.models import CollectionFlow
from db.settings import get_settings

logger = logging.getLogger(__name__)


def validate_selected_gaps(selected_gaps: Any) -> list[dict[str, Any]]:
    """The gaps as primitives, or a 400 saying which gap is wrong and why."""
    if not isinstance(selected_gaps, list):
        raise BadRequest("selected_gaps must be a list of gaps", field="selected_gaps")
    if not selected_gaps:
        raise BadRequest("Select at least one gap", field="selected_gaps")
    if len(selected_gaps) > MAX_GAPS_PER_JOB:
        raise BadRequest(
            f"Max {MAX_GAPS_PER_JOB} gaps per submission; {len(selected_gaps)} were selected",
            field="selected_gaps",
        )
    cleaned, seen = [], set()
    for index, gap in enumerate(selected_gaps):
        where = f"selected_gaps[{index}]"
        if not isinstance(gap, dict):
            raise BadRequest(f"{where} must be an object", field=where)
        field_name, gap_type = gap.get("field_name"), gap.get("gap_type")
        if not isinstance(field_name, str) or get_attribute(field_name) is None:
            raise BadRequest(
                f"{where}.field_name {field_name!r} is not a critical attribute",
                field=f"{where}.field_name",
            )
        if gap_type not in set(GapType):
            raise BadRequest(
                f"{where}.gap_type must be missing or invalid, got {gap_type!r}",
                field=f"{where}.gap_type",
            )
        asset_id = parse_uuid(gap.get("asset_id"), f"{where}.asset_id")
        identity = (field_name, gap_type, asset_id)
        if identity in seen:
            continue
        seen.add(identity)
        asset_name = gap.get("asset_name")
        cleaned.append(
            {
                "field_name": field_name,
                "gap_type": str(gap_type),
                "asset_id": str(asset_id),
                # A display label only; NUL cannot be stored in PostgreSQL's JSONB job keys.
                "asset_name": asset_name.replace("\x00", "")[:255]
                if isinstance(asset_name, str)
                else None,
            }
        )
    return cleaned


def _store(db: Session) -> JobKeyStore:
    return job_store_for(db.get_bind())


def _stall_seconds() -> int:
    return get_settings().job_stall_seconds


def _enqueue(
    db: Session, ctx: RequestContext, flow: CollectionFlow, gaps: list[dict], *, action: str
) -> dict[str, Any]:
    """Take the job key atomically (409 before 429), then hand the job to a worker."""
    collection_flow_id, flow_id = str(flow.id), flow.flow_id
    # End the read transaction first: on SQLite it holds the lock the claim needs.
    db.rollback()
    job_id = new_job_id()
    now = time.time()
    state = {
        "job_id": job_id,
        "status": "queued",
        "processed": 0,
        "total": len(gaps),
        "percentage": 0.0,
        "current_asset": None,
        "errors": [],
        "failed_indexes": [],
        "heartbeat_at": now,
        "submitted_at": now,
        "submitted_by": str(ctx.user_id) if ctx.user_id else None,
        "selected_gaps": gaps,
    }
    store = _store(db)
    try:
        outcome, wait_seconds = store.claim(
            collection_flow_id, state, stall_seconds=_stall_seconds()
        )
    except redis.RedisError as error:
        raise ServiceUnavailable(
            f"The job store is unreachable ({type(error).__name__})."
        ) from error
    if outcome == CONFLICT:
        raise Conflict("A gap analysis job is already running for this flow")
    if outcome != ACCEPTED:
        raise RateLimited(
            f"Rate limited - wait {wait_seconds:.0f}s between submissions",
            retry_after_seconds=wait_seconds,
        )
    try:
        get_dispatcher().enqueue_gap_enhancement(
            client_account_id=str(ctx.client_account_id),
            engagement_id=str(ctx.engagement_id),
            collection_flow_id=collection_flow_id,
            flow_id=str(flow_id),
            selected_gaps=gaps,
            job_id=job_id,
        )
    except Exception as error:
        # Nothing was queued: give the key back so the person can simply try again.
        store.delete(collection_flow_id, job_id)
        logger.exception("enqueue of gap job %s failed", job_id)
        raise ServiceUnavailable("The job queue is unreachable; nothing was submitted.") from error
    with atomic(db):
        audit.record(db, ctx, action, flow_id=flow_id, job_id=job_id, gaps=len(gaps))
    return {
        "status": "accepted",
        "message": f"Gap analysis enqueued ({len(gaps)} gaps)",
        "job_id": job_id,
    }


def submit_gap_analysis(
    db: Session, ctx: RequestContext, flow_id: str, selected_gaps: list[dict[str, Any]]
) -> dict[str, Any]:
    """Validate, check tenancy, take the job key and enqueue the worker; 202-style answer."""
    require(db, ctx, Action.SUBMIT_GAPS)
    gaps = validate_selected_gaps(selected_gaps)
    with uow_for(ctx, db) as uow:
        flow = get_flow(uow, flow_id)
    if flow.status in FINISHED_FLOW_STATUSES:
        raise Conflict(f"The flow is {flow.status}; its gaps can no longer be analyzed")
    asset_ids = list({uuid.UUID(gap["asset_id"]) for gap in gaps})
    unknown = set(asset_ids) - AssetRepository(
        db, ctx.client_account_id, ctx.engagement_id
    ).existing_ids(asset_ids)
    if unknown:
        index = next(i for i, gap in enumerate(gaps) if uuid.UUID(gap["asset_id"]) in unknown)
        raise BadRequest(
            f"selected_gaps[{index}].asset_id is not an asset of this engagement",
            field=f"selected_gaps[{index}].asset_id",
        )
    return _enqueue(db, ctx, flow, gaps, action="gaps_submitted")


def get_gap_analysis_progress(db: Session, ctx: RequestContext, flow_id: str) -> dict[str, Any]:
    require(db, ctx, Action.VIEW)
    return progress_reader(db, ctx, flow_id)()


def progress_reader(db: Session, ctx: RequestContext, flow_id: str):
    """Check tenancy once; the returned function then reads the one job key and nothing else."""
    require(db, ctx, Action.VIEW)
    with uow_for(ctx, db) as uow:
        collection_flow_id = str(get_flow(uow, flow_id).id)
    db.rollback()  # polling must not hold a transaction open between ticks
    store, stall_seconds = _store(db), _stall_seconds()

    def read() -> dict[str, Any]:
        return progress_view(store.get(collection_flow_id), time.time(), stall_seconds)

    return read


def retry_gap_analysis(db: Session, ctx: RequestContext, flow_id: str) -> dict[str, Any]:
    """Re-enqueue a failed or stalled job from its job key, skipping the gaps already done."""
    require(db, ctx, Action.RETRY_JOB)
    with uow_for(ctx, db) as uow:
        flow = get_flow(uow, flow_id)
    state = _store(db).get(str(flow.id))  # a read that takes no lock, even on SQLite
    if state is None:
        raise Conflict("There is no job of this flow to retry; submit gaps instead")
    stalled = is_stalled(state, time.time(), _stall_seconds())
    if state.get("status") != "failed" and not stalled:
        raise Conflict(
            f"Only failed or stalled jobs can be retried; this one is {state.get('status')}"
        )
    gaps = remaining_gaps(state)
    if not gaps:
        raise Conflict("Every gap of that job is done; nothing to retry")
    return _enqueue(db, ctx, flow, gaps, action="job_retried")


def reset_gap_job(db: Session, ctx: RequestContext, flow_id: str) -> None:
    """Admin: forget a stalled or finished job so the flow can be submitted again at once."""
    require(db, ctx, Action.RESET_JOB)
    with uow_for(ctx, db) as uow:
        flow = get_flow(uow, flow_id)
    collection_flow_id, master_flow_id = str(flow.id), flow.flow_id
    db.rollback()
    store = _store(db)
    state = store.get(collection_flow_id)
    if (
        state is not None
        and state.get("status") not in FINISHED_STATUSES
        and not is_stalled(state, time.time(), _stall_seconds())
    ):
        raise Conflict("The job is running and healthy; wait for it or for it to stall")
    store.delete(collection_flow_id)
    with atomic(db):
        audit.record(
            db,
            ctx,
            "job_reset",
            flow_id=master_flow_id,
            job_id=state.get("job_id") if state else None,
        )


def list_job_states(db: Session, ctx: RequestContext, *, limit: int = 500) -> list[dict[str, Any]]:
    """The current job of each flow of the engagement that has one (one read of the store)."""
    require(db, ctx, Action.VIEW)
    flows = CollectionFlowRepository(db, ctx.client_account_id, ctx.engagement_id).list_flows(
        limit=limit
    )
    names = {str(flow.id): (str(flow.flow_id), flow.flow_name) for flow in flows}
    db.rollback()
    states = _store(db).get_many(list(names))
    now, stall_seconds = time.time(), _stall_seconds()
    return [
        {
            **progress_view(state, now, stall_seconds),
            "flow_id": names[key][0],
            "flow_name": names[key][1],
        }
        for key, state in states.items()
    ]
