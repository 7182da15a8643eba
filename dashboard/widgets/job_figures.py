"""The figures of a gap job: the line on its bar (status, share done, elapsed, ETA, errors,
heartbeat) and the panel as JSON values."""

import time
from typing import Any

from core.enhancement.job_state import ENDED_JOB_STATUSES, JobProgress
from core.enhancement.job_timing import ago, duration, eta_seconds


def line(progress: JobProgress, now: float | None = None) -> str:
    """What the bar says; the ETA comes from the rate this attempt has shown.

    Only the job's own figures and status words: nothing anyone typed (the bar's text renders
    markdown).
    """
    now = time.time() if now is None else now
    # Until now while it runs; until its last heartbeat once it ended or stalled.
    until = now if progress.is_live else progress.updated_at.timestamp()
    elapsed = until - progress.started_at.timestamp() if progress.started_at else None
    eta = eta_seconds(progress.remaining, progress.rate_per_second) if progress.is_live else None
    errors = len(progress.errors)
    retried = f" · retried {progress.retries}×" if progress.retries else ""
    return (
        f"Gap analysis {progress.shown_status}: {progress.percentage:.0f}%"
        f" · elapsed {duration(elapsed)} · ETA {duration(eta)}"
        f" · {errors} error{'' if errors == 1 else 's'}"
        f" · last heartbeat {ago(now - progress.updated_at.timestamp())}{retried}"
    )


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
        "live": progress.is_live,
        "ended": progress.status in ENDED_JOB_STATUSES or progress.stalled,
    }
