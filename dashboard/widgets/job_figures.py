"""The figures of a gap job in one line: status, share done, elapsed, ETA, errors, heartbeat."""

import time

from core.enhancement.job_state import JobProgress
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
