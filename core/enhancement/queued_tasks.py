"""What the queue's tasks run: each opens what its work needs (sessions, the job-key store,
settings) and calls one use case, so a task only unpacks the message's primitives."""

from typing import Any

from config.settings import get_settings
from core.enhancement.job_stores import job_store_for
from core.enhancement.worker import run_gap_enhancement_job
from core.enhancement.worker_beats import this_worker_id
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_run_worker import run_phase_run
from core.kernel.context import RequestContext
from db.session import get_engine, open_session


def run_queued_gap_enhancement(
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    selected_gaps: list[dict[str, Any]],
    job_id: str,
) -> str:
    """Run one gap-enhancement job; how it ended ("superseded" when a newer job took its key)."""
    final = run_gap_enhancement_job(
        open_session,
        job_store_for(get_engine()),
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        collection_flow_id=collection_flow_id,
        flow_id=flow_id,
        selected_gaps=selected_gaps,
        job_id=job_id,
        pause_seconds=get_settings().gap_job_pause_seconds,
    )
    return "superseded" if final is None else str(final.status)


def run_queued_phase(
    *,
    client_account_id: str,
    engagement_id: str,
    flow_id: str,
    phase_name: str,
    user_id: str | None,
    collection_flow_id: str | None = None,
    run_id: str | None = None,
    phase_input: dict[str, Any] | None = None,
) -> str:
    """Run one phase of a flow on a worker, as the person who asked for it; its status.

    With a `run_id`: the flow's phase run of that id (its progress and end in its key).
    Without: a scan queued by an earlier release, run as it was.
    """
    if run_id is not None and collection_flow_id is not None:
        final = run_phase_run(
            open_session,
            phase_run_store_for(get_engine()),
            client_account_id=client_account_id,
            engagement_id=engagement_id,
            collection_flow_id=collection_flow_id,
            flow_id=flow_id,
            run_id=run_id,
            phase_input=phase_input,
            stall_seconds=get_settings().job_stall_seconds,
            worker=this_worker_id(),
        )
        return "superseded" if final is None else str(final.status)
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, user_id)
    with open_session() as db:
        result = CollectionChildFlowService(db, ctx).execute_phase(flow_id, phase_name)
    return str(result.get("status", "done"))
