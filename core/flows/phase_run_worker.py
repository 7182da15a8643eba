"""The body of a queued phase run, on a worker with primitives only.

Each phase of the run goes through `execute_phase`: one transaction on PostgreSQL (it commits
whole or not at all); on SQLite the gap scan commits batch by batch (idempotent upserts), so
that page runs are not kept waiting on the one write lock for the whole scan. The worker writes "running", a heartbeat every few seconds from a thread of its
own, the phase's progress as it reports it, and how the run ended, while the flow's key
still holds its run.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.phase_run import PhaseRun, PhaseRunStatus, RunSuperseded
from core.flows.phase_run_store import PhaseRunStore
from core.kernel.context import RequestContext
from core.kernel.errors import CollectionError
from core.kernel.phases import CollectionPhase

logger = logging.getLogger(__name__)
__all__ = ["RunRecorder", "RunSuperseded", "current_recorder", "run_phase_run"]
PROGRESS_EVERY_SECONDS = 0.5  # a phase reports per batch; the key is written at most this often


class RunRecorder:
    """The run as last written, and each change written while the key is still its own."""

    def __init__(self, store: PhaseRunStore, collection_flow_id: str, run: PhaseRun):
        self.store = store
        self.collection_flow_id = collection_flow_id
        self.run = run
        self.lock = threading.Lock()
        self.written_at = 0.0
        self.superseded = False

    def save(self, **changes: Any) -> None:
        with self.lock:
            self.run = self.run.with_changes(time.time(), **changes)
            self.written_at = time.time()
            if not self.store.update_if_current(self.collection_flow_id, self.run):
                self.superseded = True
                raise RunSuperseded(self.run.run_id)

    def fail(self, reason: str) -> None:
        """Write how the run failed (one sentence); a failure that cannot be written is logged:
        the run then reads as stalled."""
        try:
            self.save(status=PhaseRunStatus.FAILED, failure=reason)
        except Exception:
            logger.exception("run %s: could not record its failure", self.run.run_id)

    def progress(self, done: int, total: int) -> None:
        """The phase's own count (assets scanned of selected, ...), written now and then."""
        if time.time() - self.written_at >= PROGRESS_EVERY_SECONDS:
            self.save(done=done, total=total)

    @contextmanager
    def beating(self, stall_seconds: float) -> Iterator[None]:
        """While the block runs, a heartbeat from a thread of its own, four per stall limit,
        where the store writes beside the work's transactions (on SQLite the work's own
        batches are its heartbeat: a thread's write would wait on their lock)."""
        stop = threading.Event()
        if self.store.writes_beside_transactions:
            every = max(stall_seconds / 4, 0.2)
            threading.Thread(target=self.beat_until, args=(stop, every), daemon=True).start()
        try:
            yield
        finally:
            stop.set()

    def beat_until(self, stop: threading.Event, every: float) -> None:
        while not stop.wait(every) and not self.superseded:
            try:
                self.save()
            except RunSuperseded:
                return
            except Exception:  # the next beat tries again; a run that never beats stalls
                logger.exception("phase run %s: a heartbeat failed", self.run.run_id)


def current_recorder(
    store: PhaseRunStore, collection_flow_id: str, run_id: str
) -> RunRecorder | None:
    """The recorder of run `run_id`, None when the flow's key holds another run or none (a
    message delivered again after its run ended or was replaced: nothing to do)."""
    run = store.get(collection_flow_id)
    if run is None or run.run_id != run_id:
        logger.info("run %s is no longer current; nothing to do", run_id)
        return None
    return RunRecorder(store, collection_flow_id, run)


def run_phase_run(
    open_session: Callable[[], Session],
    store: PhaseRunStore,
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    run_id: str,
    phase_input: dict[str, Any] | None,
    stall_seconds: float,
    worker: str | None = None,
) -> PhaseRun | None:
    """Run (or, re-delivered, run again) one phase run; its final state, None if superseded.

    `worker` (host:pid) is written with "running", so a run whose worker dies is seen at once.
    """
    recorder = current_recorder(store, collection_flow_id, run_id)
    if recorder is None:
        return None
    run = recorder.run
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, run.submitted_by)
    beside = store.writes_beside_transactions
    try:
        recorder.save(
            status=PhaseRunStatus.RUNNING,
            started_at=time.time(),
            done=0,
            worker=_named(worker, run.phases[0], beside),
        )
        with recorder.beating(stall_seconds):
            for index, phase in enumerate(run.phases):
                if index:
                    recorder.save(phase=phase, done=0, worker=_named(worker, phase, beside))
                with open_session() as db:
                    CollectionChildFlowService(db, ctx).execute_phase(
                        flow_id,
                        phase,
                        phase_input if index == 0 else None,
                        progress=recorder.progress if beside else _between_batches(db, recorder),
                    )
        recorder.save(status=PhaseRunStatus.COMPLETED, done=recorder.run.total)
        _forget_input(store, collection_flow_id, run_id)
    except RunSuperseded:
        logger.warning("phase run %s was replaced; stopping", run_id)
        return None
    except CollectionError as refused:
        recorder.fail(as_sentence(refused.message))
    except (OperationalError, DBAPIError):
        logger.exception("phase run %s: the database is unreachable", run_id)
        recorder.fail("The database could not be reached.")
    except Exception as error:
        logger.exception("phase run %s failed", run_id)
        recorder.fail(
            f"The {recorder.run.words} stopped on an unexpected error ({type(error).__name__})."
        )
    return recorder.run


def _named(worker: str | None, phase: str, beside: bool) -> str | None:
    """The worker, where its silence means it is gone. On SQLite asset selection and
    questionnaire generation hold the one write lock in one go, which the worker's own
    heartbeat waits for: their runs keep to the stall limit (the gap scan commits per batch)."""
    return worker if beside or phase == CollectionPhase.GAP_ANALYSIS else None


def _between_batches(db: Session, recorder: RunRecorder) -> Callable[[int, int], None]:
    """SQLite: the phase's transaction holds the database's one write lock, which every page
    run and the run's own key wait for. Between batches it commits what it wrote (the gap
    scan's upserts are idempotent: a run started again writes each gap once) and reports."""

    def progress(done: int, total: int) -> None:
        db.commit()
        recorder.save(done=done, total=total)

    return progress


def _forget_input(store: PhaseRunStore, collection_flow_id: str, run_id: str) -> None:
    # Done with: the selection it was given is the flow's now. Left, it expires with the run.
    try:
        store.forget_input(collection_flow_id, run_id)
    except Exception:
        logger.exception("phase run %s: could not drop its kept input", run_id)


def as_sentence(message: str) -> str:
    """A refusal's message as the sentence a failed run shows."""
    text = message.strip() or "It was refused"
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
