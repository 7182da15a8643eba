"""Sending a flow's requests as a run of its own: queued from the Questionnaires page for a
worker (or run by the command line in its process), one at a time per flow.

The send run's key (`flow_request_send:{collection_flow_id}`, the phase runs' store and state)
says how many owners are prepared of how many, so the page answers at once and shows a bar. A
second send while one is queued or running (and reporting) is a 409. A worker that dies leaves
whole batches of requests behind: a new send takes up the rest and, under the resend rules,
mails nobody twice whose request was already mailed.
"""

import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from config.settings import get_settings
from core.flows.phase_run import SEND_REQUESTS, SEND_RUNS, PhaseRun, PhaseRunStatus
from core.flows.phase_run_store import PhaseRunStore, phase_run_store_for
from core.flows.phase_run_worker import RunRecorder, RunSuperseded, as_sentence, current_recorder
from core.kernel.context import RequestContext
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import CollectionError, Conflict, ServiceUnavailable
from core.kernel.permissions import Action
from core.requests.sending import (
    Progress,
    SendSummary,
    collecting_flow,
    mail_is_set_up,
    send_requests,
)
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.session import get_engine, open_session

logger = logging.getLogger(__name__)
BUSY = "Requests of this flow are already being sent; wait for it to end"


def send_store(engine: Engine) -> PhaseRunStore:
    return phase_run_store_for(engine, namespace=SEND_RUNS)


def start_send(
    uow: UnitOfWork, flow_id: str, *, due_on: date | None = None, resend: bool = False
) -> dict[str, Any]:
    """Queue the sending of the flow's requests for a worker; 409 while one is queued or running."""
    store, collection_flow_id, run = _claim(uow, flow_id)
    try:
        get_dispatcher().enqueue_phase(
            client_account_id=str(uow.ctx.client_account_id),
            engagement_id=str(uow.ctx.engagement_id),
            flow_id=flow_id,
            phase_name=SEND_REQUESTS,
            user_id=run.submitted_by,
            collection_flow_id=collection_flow_id,
            run_id=run.run_id,
            phase_input={"due_on": due_on.isoformat() if due_on else None, "resend": resend},
        )
    except Exception as error:
        store.delete_if_current(collection_flow_id, run.run_id)  # nothing runs: Send again
        logger.exception("queueing send run %s failed", run.run_id)
        raise ServiceUnavailable("The worker queue is unreachable; no request was sent.") from error
    return {"mode": "queued", "run_id": run.run_id}


def send_here(
    uow: UnitOfWork,
    flow_id: str,
    *,
    due_on: date | None = None,
    resend: bool = False,
    progress: Progress | None = None,
) -> SendSummary:
    """Send in this process (the command line) under the flow's send-run key, so the page
    shows its bar and refuses a second send meanwhile; refusals raise as they are."""
    store, collection_flow_id, run = _claim(uow, flow_id)
    recorder = RunRecorder(store, collection_flow_id, run)
    summary = _send(recorder, uow, flow_id, due_on, resend, progress)
    if summary is None:
        raise Conflict(BUSY)  # another send took the key over (ours had stalled)
    return summary


def _claim(uow: UnitOfWork, flow_id: str) -> tuple[PhaseRunStore, str, PhaseRun]:
    """Refuse now what can be refused now (403, 503 without mail, 404, 409), then take the key."""
    uow.require(Action.SEND_REQUESTS)
    if not mail_is_set_up():
        raise ServiceUnavailable("Mail is not set up: set SMTP_HOST to send requests")
    collection_flow_id = str(collecting_flow(uow, flow_id).id)
    uow.commit()  # SQLite: the claim needs the write lock this unit of work's reads hold
    submitted_by = str(uow.ctx.user_id) if uow.ctx.user_id else None
    run = PhaseRun.queued((SEND_REQUESTS,), 0, submitted_by, time.time())
    store = send_store(uow.session.get_bind().engine)
    if store.claim(collection_flow_id, run, stall_seconds=get_settings().job_stall_seconds):
        raise Conflict(BUSY)
    return store, collection_flow_id, run


def _send(
    recorder: RunRecorder,
    uow: UnitOfWork,
    flow_id: str,
    due_on: date | None,
    resend: bool,
    also: Progress | None = None,
) -> SendSummary | None:
    """The send, its progress and its end written to the key; None when the key went to
    another run. A refusal or error is written as the run's failure, then raised."""

    def prepared(done: int, total: int) -> None:
        recorder.save(done=done, total=total)
        if also is not None:
            also(done, total)

    try:
        recorder.save(status=PhaseRunStatus.RUNNING, started_at=time.time(), done=0)
        with recorder.beating(get_settings().job_stall_seconds):
            summary = send_requests(uow, flow_id, due_on=due_on, resend=resend, progress=prepared)
        recorder.save(status=PhaseRunStatus.COMPLETED, output=_output(summary))
    except RunSuperseded:
        uow.rollback()
        return None
    except Exception as error:
        uow.rollback()  # SQLite: the failure is written under the write lock the batch held
        recorder.fail(_reason(error))
        raise
    return summary


def run_send_run(
    open_session: Callable[[], Session],
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    run_id: str,
    due_on: date | None,
    resend: bool,
) -> PhaseRun | None:
    """On a worker: run (or, delivered again, run again) the send run of that id; its final
    state, None when the key holds another run."""
    recorder = current_recorder(send_store(get_engine()), collection_flow_id, run_id)
    if recorder is None:
        return None
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, recorder.run.submitted_by)
    try:
        with open_session() as db, engagement_uow(ctx, db) as uow:
            if _send(recorder, uow, flow_id, due_on, resend) is None:
                return None
    except CollectionError:
        pass  # said in the key, as one sentence
    except Exception:
        logger.exception("send run %s failed", run_id)
    return recorder.run


def run_queued_send(
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    run_id: str,
    phase_input: dict[str, Any] | None,
) -> str:
    """What the queue's task runs for a send run: how it ended."""
    given = phase_input or {}
    final = run_send_run(
        open_session,
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        collection_flow_id=collection_flow_id,
        flow_id=flow_id,
        run_id=run_id,
        due_on=date.fromisoformat(given["due_on"]) if given.get("due_on") else None,
        resend=bool(given.get("resend")),
    )
    return "superseded" if final is None else str(final.status)


def _reason(error: Exception) -> str:
    if isinstance(error, CollectionError):
        return as_sentence(error.message)
    if isinstance(error, OperationalError | DBAPIError):
        return "The database could not be reached."
    return f"The sending of requests stopped on an unexpected error ({type(error).__name__})."


def _output(summary: SendSummary) -> dict[str, str]:
    return {
        "owners_mailed": str(summary.owners_mailed),
        "owners_up_to_date": str(summary.owners_up_to_date),
        "unassigned_questions": str(summary.unassigned_questions),
    }


def summary_of(run: PhaseRun) -> SendSummary | None:
    """What a completed send run did, as the page says it; None before it completes."""
    if run.status is not PhaseRunStatus.COMPLETED:
        return None
    return SendSummary(
        int(run.output.get("owners_mailed", 0)),
        int(run.output.get("owners_up_to_date", 0)),
        int(run.output.get("unassigned_questions", 0)),
    )
