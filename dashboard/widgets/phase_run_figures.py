"""The figures of a phase run for the job panel (JSON values, the shape job_figures gives)."""

import time
from typing import Any

from core.enhancement.job_timing import ago, duration
from core.flows.phase_run import PhaseRunProgress


def line(progress: PhaseRunProgress, now: float | None = None) -> str:
    """What the bar says: the phase, its status, share done, elapsed time, last heartbeat."""
    now = time.time() if now is None else now
    run = progress.run
    until = now if progress.is_live else run.heartbeat_at
    elapsed = until - run.started_at if run.started_at else None
    return (
        f"{run.words.capitalize()} {progress.shown_status}: {run.percentage:.0f}%"
        f" · elapsed {duration(elapsed)} · last heartbeat {ago(now - run.heartbeat_at)}"
    )


def shown(progress: PhaseRunProgress | None, now: float | None = None) -> dict[str, Any]:
    """The panel as the browser draws it; `live` and `job` say when the page must run again."""
    if progress is None:
        return {"job": None, "live": False}
    run = progress.run
    return {
        "job": run.run_id,
        "status": progress.shown_status,
        "processed": run.done,
        "total": run.total,
        "percentage": run.percentage,
        "figures": _figures(progress),
        "line": line(progress, now),
        "current_asset": None,
        "errors": [],  # a failure is the page run's, said once in a sentence
        "stalled": progress.stalled,
        "live": progress.is_live,
        "ended": not progress.is_live,
    }


def _figures(progress: PhaseRunProgress) -> str:
    run = progress.run
    if run.total and run.unit:
        return f"{min(run.done, run.total):,} / {run.total:,} {run.unit}"
    # An export (one file, no count), or a send run before it knows how many owners.
    return progress.shown_status.capitalize()
