"""The figures of a gap job: the line on its bar (status, share done, elapsed, ETA, errors,
heartbeat) and the panel as JSON values."""

import time
from typing import Any

from core.enhancement.job_state import ENDED_JOB_STATUSES, JobProgress, JobStatus
from core.enhancement.job_timing import ago, duration, eta_seconds


def line(progress: JobProgress, now: float | None = None) -> str:
    """What the bar says; the ETA comes from the rate this attempt has shown.

    Only the job's own figures and status words: nothing anyone typed (the bar's text renders
    markdown). A queued job has no clock yet; an ended one has stopped its clocks.
    """
    now = time.time() if now is None else now
    share = f"{progress.percentage:.0f}%"
    retried = f" · retried {progress.retries}×" if progress.retries else ""
    if progress.status is JobStatus.QUEUED and not progress.stalled:
        return f"Gap analysis queued: {share} · waiting for a worker{retried}"
    errors = len(progress.errors)
    counted = f"{errors} error{'' if errors == 1 else 's'}"
    elapsed = duration(progress.elapsed_seconds)
    silent = duration(now - progress.updated_at.timestamp())
    if progress.is_live:
        eta = eta_seconds(progress.remaining, progress.rate_per_second)
        heartbeat = ago(now - progress.updated_at.timestamp())
        return (
            f"Gap analysis running: {share} · elapsed {elapsed} · ETA {duration(eta)}"
            f" · {counted} · last heartbeat {heartbeat}{retried}"
        )
    if progress.worker_offline:
        return (
            f"Gap analysis stalled, its worker offline: {share} · elapsed {elapsed}"
            f" · {counted} · last heartbeat {silent} ago{retried}"
        )
    if progress.stalled:
        return (
            f"Gap analysis stalled: {share} · elapsed {elapsed} · {counted}"
            f" · no heartbeat for {silent}{retried}"
        )
    return f"Gap analysis {progress.status}: {share} · took {elapsed} · {counted}{retried}"


def tone(progress: JobProgress) -> str:
    """The bar's colour: running, queued, stalled (amber), failed (red) or completed (green);
    the line says the same in words."""
    if progress.stalled:
        return "stalled"
    return str(progress.status)


def shown(progress: JobProgress | None, now: float | None = None) -> dict[str, Any]:
    """The panel as the browser draws it (JSON values): from the page run, then from each poll.

    `live` and `job` tell the browser when the page must run again: a job that ended, stalled
    or started since the page run drew it.
    """
    if progress is None:
        return {"job": None, "live": False}
    return {
        "job": progress.job_id,
        "status": progress.shown_status,
        "processed": progress.processed,
        "total": progress.total,
        "percentage": progress.percentage,
        "figures": f"{progress.processed} / {progress.total}",
        "line": line(progress, now),
        # Asset names and errors come from the inventory and the workers: drawn as text only.
        "current_asset": progress.current_asset if progress.status.is_active else None,
        "errors": list(progress.errors),
        "stalled": progress.stalled,
        "tone": tone(progress),
        "live": progress.is_live,
        "ended": progress.status in ENDED_JOB_STATUSES or progress.stalled,
    }
