"""A flow's phase run as the Flow page watches it: read by the page run, then polled by the
browser with a pass of the phase-run kind (the same pass, route and panel as a gap job's)."""

import time
from collections.abc import Callable

from sqlalchemy import Engine

from config.settings import get_settings
from core.enhancement import progress_pass
from core.enhancement.worker_health import RunsOnAWorker, online_checker
from core.flows.phase_run import (
    EXPORT_RUNS,
    PHASE_RUNS,
    SEND_RUNS,
    PhaseRun,
    PhaseRunProgress,
    PhaseRunStatus,
)
from core.flows.phase_run_store import PhaseRunStore, phase_run_store_for
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork
from db.session import get_engine

NAMESPACES = {
    progress_pass.PHASE_RUN: PHASE_RUNS,
    progress_pass.EXPORT_RUN: EXPORT_RUNS,
    progress_pass.SEND_RUN: SEND_RUNS,
}
# Who may watch each kind: an export's file is for those who may export.
WATCHERS = {progress_pass.EXPORT_RUN: Action.EXPORT}


def watch_phase_run(
    uow: UnitOfWork, flow_id: str, *, kind: str = progress_pass.PHASE_RUN
) -> tuple[Callable[[], PhaseRunProgress | None], str]:
    """Check tenancy once: the reader of the flow's phase-run key (its export-run or send-run
    key, by `kind`), and a pass to poll it."""
    uow.require(WATCHERS.get(kind, Action.VIEW))
    key = str(uow.collection_flow_id(flow_id))
    engine = uow.session.get_bind().engine
    store = phase_run_store_for(engine, namespace=NAMESPACES[kind])
    return _reader(store, key, engine), progress_pass.issue(key, flow_id, uow.ctx, kind=kind)


def read_phase_run_by_pass(granted: progress_pass.ProgressPass) -> PhaseRunProgress | None:
    """The phase-run (or export-run) key a pass names, and nothing else (no SQL on Redis)."""
    namespace = NAMESPACES.get(granted.kind, PHASE_RUNS)
    store = phase_run_store_for(get_engine(), namespace=namespace)
    return _reader(store, granted.job_key, get_engine())()


def _reader(
    store: PhaseRunStore, key: str, engine: Engine
) -> Callable[[], PhaseRunProgress | None]:
    stall_seconds = get_settings().job_stall_seconds

    def read() -> PhaseRunProgress | None:
        run = store.get(key)
        return phase_run_progress(run, time.time(), stall_seconds, engine)

    return read


def phase_run_progress(
    run: PhaseRun | None,
    now: float,
    stall_seconds: float,
    engine: Engine,
    online: Callable[[RunsOnAWorker], bool] | None = None,
) -> PhaseRunProgress | None:
    """The run as people see it; the workers' heartbeats are read only for a running run
    that names its worker (a worker gone offline stalls it at once). `online`: a checker
    shared by several runs, so the heartbeats are read once for all."""
    if run is None:
        return None
    running = run.status is PhaseRunStatus.RUNNING and run.worker is not None
    worker_online = (online or online_checker(engine))(run) if running else True
    return PhaseRunProgress.of(run, now, stall_seconds, worker_online)
