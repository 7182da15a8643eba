"""A whole flow's export prepared by a worker: queued from the Flow page, written to a file
under EXPORT_DIR, downloaded when ready.

One export run per flow at a time (its own key beside the flow's phase run, so an export never
waits on a scan): a second start while one is queued or running is a 409. The file is written
under a temporary name and renamed when whole, so a download never reads half a file.
"""

import logging
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from config.settings import get_settings
from core.catalogue.labels import export_label
from core.flows.phase_run import EXPORT, EXPORT_RUNS, PhaseRun, PhaseRunStatus
from core.flows.phase_run_store import PhaseRunStore, phase_run_store_for
from core.flows.phase_run_worker import RunRecorder, RunSuperseded, current_recorder
from core.inventory.export import CSV_ONLY, ExportRequest, export_filename, export_flow_to
from core.kernel.context import RequestContext
from core.kernel.dispatch import get_dispatcher
from core.kernel.edge import parse_input
from core.kernel.errors import BadRequest, CollectionError, Conflict, NotFound, ServiceUnavailable
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.session import get_engine, open_session

logger = logging.getLogger(__name__)
KEEP_FILES_SECONDS = 24 * 3600
COPY_CHUNK = 1 << 20


def export_store(engine: Any) -> PhaseRunStore:
    return phase_run_store_for(engine, namespace=EXPORT_RUNS)


def start_export(uow: UnitOfWork, flow_id: str, what: str, fmt: str) -> dict[str, Any]:
    """Queue the export of the whole flow; 409 while one of the flow is queued or running."""
    uow.require(Action.EXPORT)
    request = parse_input(ExportRequest, {"flow_id": flow_id, "what": what, "format": fmt})
    if request.what in CSV_ONLY and request.format != "csv":
        raise BadRequest(f"the {export_label(request.what)} template is a CSV file", field="format")
    flow = uow.flow(request.flow_id)
    collection_flow_id = str(flow.id)
    name = export_filename(flow, request.what, request.format)
    uow.commit()  # SQLite: the claim needs the write lock this unit of work's reads hold
    submitted_by = str(uow.ctx.user_id) if uow.ctx.user_id else None
    output = {"what": request.what, "format": request.format, "name": name}
    run = PhaseRun.queued((EXPORT,), 0, submitted_by, time.time(), output)
    store = export_store(uow.session.get_bind().engine)
    if store.claim(collection_flow_id, run, stall_seconds=get_settings().job_stall_seconds):
        raise Conflict("An export of this flow is already being prepared; wait for it to end")
    try:
        get_dispatcher().enqueue_phase(
            client_account_id=str(uow.ctx.client_account_id),
            engagement_id=str(uow.ctx.engagement_id),
            flow_id=str(flow.flow_id),
            phase_name=EXPORT,
            user_id=submitted_by,
            collection_flow_id=collection_flow_id,
            run_id=run.run_id,
            phase_input={"what": request.what, "format": request.format},
        )
    except Exception as error:
        store.delete_if_current(collection_flow_id, run.run_id)
        logger.exception("queueing export run %s failed", run.run_id)
        raise ServiceUnavailable(
            "The worker queue is unreachable; no export was started."
        ) from error
    return {"mode": "queued", "run_id": run.run_id}


def write_exported_file(uow: UnitOfWork, flow_id: str, target: BinaryIO) -> None:
    """Copy the flow's last prepared export to `target` as it is read; 404 when there is none."""
    with _exported_path(uow, flow_id)[1].open("rb") as prepared:
        shutil.copyfileobj(prepared, target, COPY_CHUNK)


def _exported_path(uow: UnitOfWork, flow_id: str) -> tuple[str, Path]:
    uow.require(Action.EXPORT)
    run = export_store(uow.session.get_bind().engine).get(str(uow.flow(flow_id).id))
    if run is None or run.status is not PhaseRunStatus.COMPLETED:
        raise NotFound("No export of this flow is ready")
    path = _file_of(run)
    if not path.is_file():
        raise NotFound("The prepared export is no longer kept; prepare it again")
    return run.output["name"], path


def _file_of(run: PhaseRun) -> Path:
    # Named by the run's id and format only: nothing a person typed reaches the path.
    fmt = "xlsx" if run.output.get("format") == "xlsx" else "csv"
    return Path(get_settings().export_dir) / f"{run.run_id}.{fmt}"


def run_export_run(
    open_session: Callable[[], Session],
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    run_id: str,
) -> PhaseRun | None:
    """Write the export a run asked for; its final state, None when no longer current."""
    recorder = current_recorder(export_store(get_engine()), collection_flow_id, run_id)
    if recorder is None:
        return None
    run = recorder.run
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, run.submitted_by)
    try:
        recorder.save(status=PhaseRunStatus.RUNNING, started_at=time.time())
        with (
            recorder.beating(get_settings().job_stall_seconds),
            open_session() as db,
            engagement_uow(ctx, db) as uow,
        ):
            _write(uow, flow_id, run)
        recorder.save(status=PhaseRunStatus.COMPLETED, done=1, total=1)
    except RunSuperseded:
        return None
    except CollectionError as refused:
        _fail(recorder, refused.message)
    except Exception as error:
        logger.exception("export run %s failed", run_id)
        _fail(
            recorder, f"The export could not be written ({type(error).__name__}); prepare it again"
        )
    return recorder.run


def _fail(recorder: RunRecorder, reason: str) -> None:
    sentence = reason[0].upper() + reason[1:] if reason else "It was refused"
    sentence = sentence if sentence.endswith(".") else sentence + "."
    try:
        recorder.save(status=PhaseRunStatus.FAILED, failure=sentence)
    except Exception:
        logger.exception("export run %s: could not record its failure", recorder.run.run_id)


def _write(uow: UnitOfWork, flow_id: str, run: PhaseRun) -> None:
    """Stream the export into a file beside its final name, renamed once whole."""
    path = _file_of(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    try:
        with partial.open("wb") as target:
            export_flow_to(uow, flow_id, run.output["what"], run.output["format"], target)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    cutoff = time.time() - KEEP_FILES_SECONDS
    for old in path.parent.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def run_queued_export(
    *,
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    run_id: str,
) -> str:
    """What the queue's task runs for an export run: how it ended."""
    final = run_export_run(
        open_session,
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        collection_flow_id=collection_flow_id,
        flow_id=flow_id,
        run_id=run_id,
    )
    return "superseded" if final is None else str(final.status)


def prepared_file_by_key(collection_flow_id: str) -> tuple[str, Path] | None:
    """The download name and file of the flow's prepared export, when it is ready; None
    otherwise. For the download route, whose signed pass named the flow (no SQL on Redis)."""
    run = export_store(get_engine()).get(collection_flow_id)
    if run is None or run.status is not PhaseRunStatus.COMPLETED:
        return None
    path = _file_of(run)
    return (run.output["name"], path) if path.is_file() else None
