"""A Jobs view: every gap job (of a flow or of the engagement), with its pace and its end, and
every try of a job that was retried or did not end well, as a grid of task tries shows them."""

import time

import pandas as pd
import streamlit as st

from core.catalogue.labels import job_status_label, try_outcome_words
from core.enhancement.job_attempts import JobAttempt
from core.enhancement.job_history import JobRecord
from core.enhancement.job_timing import ago, duration, per_minute
from dashboard import shown_text

# A job's tries are listed when it has more than one or one of them did not end well.
TROUBLED_TRIES = frozenset({"failed", "stalled", "worker offline", "reset"})


def _by(job: JobRecord) -> str:
    """Who submitted the job, and who retried it last when someone did."""
    who = job.submitted_by or "—"
    return f"{who}, retried by {job.retried_by}" if job.retried_by else who


def frame(jobs: list[JobRecord], now: float, *, with_flow: bool) -> pd.DataFrame:
    """One row per job, in people's words (text people wrote stays text: a dataframe cell)."""
    # What matters while waiting comes first; who and when after (a wide table scrolls).
    rows = {
        "Flow": [job.flow_name for job in jobs],
        "Status": [job_status_label(job.status) for job in jobs],
        "Progress": [job.percentage for job in jobs],
        "Gaps": [f"{job.processed} / {job.total}" for job in jobs],
        "ETA": [duration(job.eta_seconds) if job.eta_seconds is not None else "—" for job in jobs],
        "Heartbeat": [
            ago(now - job.heartbeat_at.timestamp()) if job.heartbeat_at else "—" for job in jobs
        ],
        "Rate": [per_minute(job.rate_per_second) for job in jobs],
        "Duration": [duration(job.running_seconds) for job in jobs],
        "Errors": [job.failed for job in jobs],
        "Retries": [job.retries for job in jobs],
        "Submitted": [shown_text.local_time(job.submitted_at) for job in jobs],
        "By": [_by(job) for job in jobs],
    }
    if not with_flow:
        del rows["Flow"]
    return pd.DataFrame(rows)


def show(jobs: list[JobRecord], *, key: str, with_flow: bool = True) -> None:
    """The table, and the errors of the jobs that had any."""
    if not jobs:
        st.info("No gap job has run here yet.")
        return
    # No fixed width: each column as wide as its header or longest figure ("3791 gaps/min"),
    # so none is cut short.
    st.dataframe(
        frame(jobs, time.time(), with_flow=with_flow),
        hide_index=True,
        key=key,
        column_config={
            "Progress": st.column_config.ProgressColumn(
                min_value=0, max_value=100, format="%.0f%%"
            ),
            "Errors": st.column_config.NumberColumn(format="%d"),
            "Retries": st.column_config.NumberColumn(format="%d"),
        },
    )
    _tries([job for job in jobs if _worth_its_tries(job)])
    failing = [job for job in jobs if job.errors]
    if failing:
        with st.expander(f"Errors of {len(failing)} job{'s' if len(failing) != 1 else ''}"):
            for job in failing:
                st.text(f"{job.flow_name} · {shown_text.local_time(job.submitted_at)}")
                for error in job.errors:
                    st.text(f"  • {error}")


def _worth_its_tries(job: JobRecord) -> bool:
    return len(job.attempts) > 1 or any(one.status in TROUBLED_TRIES for one in job.attempts)


def try_line(attempt: JobAttempt) -> str:
    """'Try 2 by Ada Admin (retried 2026-12-07 10:05 UTC): completed, 88 of 88 gaps in 20 s on
    host:4343': who started it (the submitter, then each retrier), when, how it ended, what
    it did, for how long and on which worker."""
    who = f" by {attempt.started_by}" if attempt.started_by else ""
    how = "submitted" if attempt.number == 1 else "retried"
    figures = f"{attempt.processed} of {attempt.total} gap{'s' if attempt.total != 1 else ''}"
    if attempt.failed:
        figures += f", {attempt.failed} failed"
    if attempt.running_seconds is not None:
        figures += f" in {duration(attempt.running_seconds)}"
    if attempt.worker:
        figures += f" on {attempt.worker}"
    when = shown_text.local_time(attempt.queued_at)
    outcome = try_outcome_words(attempt.status)
    return f"Try {attempt.number}{who} ({how} {when}): {outcome}, {figures}"


def _tries(jobs: list[JobRecord]) -> None:
    """Every try of those jobs, the failed and stalled ones kept, with the last error of each."""
    if not jobs:
        return
    with st.expander(f"Tries of {len(jobs)} job{'s' if len(jobs) != 1 else ''}"):
        for job in jobs:
            when = shown_text.local_time(job.submitted_at)
            st.markdown(f"**{shown_text.plain(job.flow_name)}** · {when}")
            for attempt in job.attempts:
                st.markdown(shown_text.plain(try_line(attempt)))
                if attempt.errors:
                    st.caption(shown_text.plain(f"Last error: {attempt.errors[-1]}"))
