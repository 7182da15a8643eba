"""The figures of a running gap job: done of the whole job, elapsed, ETA, last heartbeat."""

import time

import streamlit as st

from core.enhancement.job_state import JobProgress
from core.enhancement.job_timing import ago, duration, eta_seconds


def show(progress: JobProgress, now: float | None = None) -> None:
    """Four metrics and a caption; the ETA comes from the rate this attempt has shown."""
    now = time.time() if now is None else now
    # Until now while it runs; until its last heartbeat once it ended or stalled.
    until = now if progress.is_live else progress.updated_at.timestamp()
    elapsed = until - progress.started_at.timestamp() if progress.started_at else None
    eta = eta_seconds(progress.remaining, progress.rate_per_second) if progress.is_live else None
    columns = st.columns(4)
    columns[0].metric("Processed", f"{progress.processed} / {progress.total}")
    columns[1].metric("Elapsed", duration(elapsed))
    columns[2].metric("ETA", duration(eta) if progress.is_live else "—")
    columns[3].metric("Errors", len(progress.errors))
    retried = f" · retried {progress.retries}×" if progress.retries else ""
    st.caption(f"Last heartbeat {ago(now - progress.updated_at.timestamp())}{retried}")
