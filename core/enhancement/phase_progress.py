"""A flow's phase run as the Flow page watches it: read by the page run, then polled by the
browser with a pass of the phase-run kind (the same pass, route and panel as a gap job's)."""

import time
from collections.abc import Callable

from config.settings import get_settings
from core.enhancement import progress_pass
from core.flows.phase_run import EXPORT_RUNS, PHASE_RUNS, PhaseRunProgress
from core.flows.phase_run_store import PhaseRunStore, phase_run_store_for
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork
from db.session import get_engine

NAMESPACES = {progress_pass.PHASE_RUN: PHASE_RUNS, progress_pass.EXPORT_RUN: EXPORT_RUNS}


def watch_phase_run(
    uow: UnitOfWork, flow_id: str, *, exports: bool = False
) -> tuple[Callable[[], PhaseRunProgress | None], str]:
    """Check tenancy once: the reader of the flow's phase-run key (its export-run key with
    `exports`), and a pass to poll it."""
    uow.require(Action.EXPORT if exports else Action.VIEW)
    key = str(uow.flow(flow_id).id)
    kind = progress_pass.EXPORT_RUN if exports else progress_pass.PHASE_RUN
    store = phase_run_store_for(uow.session.get_bind().engine, namespace=NAMESPACES[kind])
    return _reader(store, key), progress_pass.issue(key, flow_id, uow.ctx, kind=kind)


def read_phase_run_by_pass(granted: progress_pass.ProgressPass) -> PhaseRunProgress | None:
    """The phase-run (or export-run) key a pass names, and nothing else (no SQL on Redis)."""
    namespace = NAMESPACES.get(granted.kind, PHASE_RUNS)
    return _reader(phase_run_store_for(get_engine(), namespace=namespace), granted.job_key)()


def _reader(store: PhaseRunStore, key: str) -> Callable[[], PhaseRunProgress | None]:
    stall_seconds = get_settings().job_stall_seconds
    return lambda: PhaseRunProgress.of(store.get(key), time.time(), stall_seconds)
