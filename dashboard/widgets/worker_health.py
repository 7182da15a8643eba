"""The workers as Flower shows them: each online or offline, what it runs, when it was last
heard from; the queue's depth and how long its oldest task has waited."""

import time

import pandas as pd
import streamlit as st

from core.enhancement.job_timing import ago
from core.enhancement.worker_health import RunningWork, WorkerHealth
from dashboard import shown_text

NO_WORKER = "No worker is running: gap jobs and big scans wait in the queue until one starts."


def _runs(running: tuple[RunningWork, ...]) -> str:
    if not running:
        return "idle"
    return "; ".join(
        f"{work.what} of {work.flow_name}"
        if work.flow_name
        else f"{work.what} of another engagement"
        for work in running
    )


def show(health: WorkerHealth) -> None:
    st.header("Workers")
    now = time.time()
    queue, oldest, online = st.columns(3)
    queue.metric("Waiting in the queue", "—" if health.queue_depth is None else health.queue_depth)
    oldest.metric(
        "Oldest waiting",
        ago(now - health.oldest_waiting.timestamp()) if health.oldest_waiting else "—",
    )
    online.metric("Workers online", f"{health.online} of {len(health.workers)}")
    if not health.online:
        st.error(NO_WORKER)
    for worker in health.workers:
        if not worker.online:
            silent = ago(now - worker.last_beat.timestamp())
            st.warning(f"Worker {worker.worker_id} is offline: last heartbeat {silent}.")
    if not health.workers:
        return
    st.dataframe(
        pd.DataFrame(
            {
                "Worker": [worker.worker_id for worker in health.workers],
                "State": ["online" if worker.online else "offline" for worker in health.workers],
                "Runs": [_runs(worker.running) for worker in health.workers],
                "Last heartbeat": [
                    ago(now - worker.last_beat.timestamp()) for worker in health.workers
                ],
                "Started": [shown_text.local_time(worker.started_at) for worker in health.workers],
            }
        ),
        hide_index=True,
        key="admin_workers",
    )
