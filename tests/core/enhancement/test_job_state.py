"""A job's state: stalls, what blocks a submission, what a retry redoes, how it is stored."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from core.enhancement.job_state import (
    MAX_ERRORS_KEPT,
    JobState,
    JobStatus,
    progress_answer,
)
from core.enhancement.selection import SelectedGap

NOW = 1_800_000_000.0


def state(status: JobStatus = JobStatus.RUNNING, heartbeat_at: float = NOW) -> JobState:
    return JobState("job", status, total=4, heartbeat_at=heartbeat_at, submitted_at=NOW - 5)


@pytest.mark.parametrize(
    ("status", "silent_for", "stalled", "blocks"),
    [
        (JobStatus.QUEUED, 10, False, True),
        (JobStatus.RUNNING, 10, False, True),
        (JobStatus.RUNNING, 61, True, False),
        (JobStatus.QUEUED, 61, True, False),
        (JobStatus.COMPLETED, 600, False, False),
        (JobStatus.FAILED, 0, False, False),
    ],
)
def test_an_active_job_blocks_until_it_stalls(status, silent_for, stalled, blocks):
    job = state(status, heartbeat_at=NOW - silent_for)
    assert job.is_stalled(NOW, 60) is stalled
    assert job.blocks_submission(NOW, 60) is blocks
    assert job.progress(NOW, 60).is_live is blocks


def test_a_retry_redoes_the_failed_gaps_then_those_not_reached():
    selection = [
        SelectedGap(field_name="environment", gap_type="missing", asset_id=uuid.uuid4())
        for _ in range(5)
    ]
    job = replace(state(), processed=3, failed_indexes=(1,))
    assert job.remaining_gaps(selection) == (selection[1], selection[3], selection[4])


def test_errors_keep_the_latest():
    job = replace(state(), errors=tuple(f"e{i}" for i in range(MAX_ERRORS_KEPT)))
    kept = job.errors_with("last")
    assert len(kept) == MAX_ERRORS_KEPT and kept[0] == "e1" and kept[-1] == "last"


def test_the_stored_form_reads_back_the_same():
    job = replace(state(), errors=("web / os: gone",), failed_indexes=(2,), current_asset="web")
    stored = job.primitives()
    assert stored["status"] == "running" and stored["errors"] == ["web / os: gone"]
    assert JobState.from_primitives({**stored, "selected_gaps": []}) == job
    assert job.primitives(["processed", "status"]) == {"processed": 0, "status": "running"}


def test_the_progress_answer_is_the_seeds_json():
    assert progress_answer(None) == {"status": "not_started"}
    answer = progress_answer(replace(state(), processed=1, percentage=25.0).progress(NOW, 60))
    assert answer == {
        "job_id": "job",
        "status": "running",
        "processed": 1,
        "total": 4,
        "percentage": 25.0,
        "current_asset": None,
        "errors": [],
        "stalled": False,
        "updated_at": datetime.fromtimestamp(NOW, UTC).isoformat(),
    }


def test_the_shown_status_says_stalled():
    assert state(heartbeat_at=NOW - 120).progress(NOW, 60).shown_status == "stalled"
    assert state(JobStatus.FAILED).progress(NOW, 60).shown_status == "failed"


def test_a_retry_counts_on_from_what_the_job_did_before():
    # 57 gaps, 35 processed of which 2 failed, then the worker died: 24 remain.
    before = replace(
        JobState("first", JobStatus.RUNNING, total=57, processed=35, heartbeat_at=NOW),
        record_id="first",
        failed_indexes=(3, 9),
    )
    retry = before.retried("second", 24, "someone", NOW + 10)
    assert (retry.job_id, retry.record_id, retry.retries) == ("second", "first", 1)
    assert (retry.processed, retry.total) == (0, 24)  # what the worker walks through
    progress = retry.progress(NOW + 10, 60)
    assert (progress.processed, progress.total, progress.retries) == (33, 57, 1)
    assert progress.percentage == 57.9  # the bar stays where the job got to
    assert retry.whole_percentage(24) == 100.0
    # A retry of the retry still adds up to the same job.
    again = replace(retry, processed=10).retried("third", 14, None, NOW + 20)
    assert (again.done_before, again.whole_total, again.retries) == (43, 57, 2)


def test_the_observed_rate_is_of_the_current_attempt():
    running = replace(state(), processed=3, started_at=NOW - 6)
    assert running.progress(NOW, 60).rate_per_second == 0.5
    assert replace(state(), started_at=NOW - 6).rate_per_second() is None
    assert state().rate_per_second() is None  # not started yet
    # While it runs, the time since its last gap counts: that gap's successor is under way.
    assert running.progress(NOW + 6, 60).rate_per_second == 0.25
    ended = replace(running, status=JobStatus.COMPLETED)
    assert ended.progress(NOW + 600, 60).rate_per_second == 0.5


def test_elapsed_never_runs_backwards_when_a_job_stalls_or_is_retried():
    running = replace(state(), started_at=NOW - 30, processed=3)
    assert running.progress(NOW, 60).elapsed_seconds == 30
    # Stalled a long while later: still the 30 s the worker was seen working.
    assert running.progress(NOW + 600, 60).elapsed_seconds == 30
    retried = running.retried("next", 1, None, NOW + 600)
    queued = retried.progress(NOW + 600, 60)
    assert queued.elapsed_seconds == 30 and queued.status is JobStatus.QUEUED
    again = replace(retried, status=JobStatus.RUNNING, started_at=NOW + 700, heartbeat_at=NOW + 705)
    assert again.progress(NOW + 705, 60).elapsed_seconds == 35


def test_a_running_job_on_an_offline_worker_is_stalled_at_once():
    on_worker = replace(state(), started_at=NOW - 30, worker="host:1")
    assert not on_worker.progress(NOW, 60, worker_online=True).stalled
    gone = on_worker.progress(NOW, 60, worker_online=False)
    assert gone.stalled and gone.worker_offline and gone.is_retryable
    assert gone.shown_status == "worker offline"


@pytest.mark.parametrize(
    ("status", "worker", "worker_online", "ended_as"),
    [
        (JobStatus.FAILED, "host:1", False, "failed"),
        (JobStatus.COMPLETED, None, True, "completed"),
        (JobStatus.RUNNING, "host:1", True, "stalled"),
        (JobStatus.QUEUED, None, True, "stalled"),
        (JobStatus.RUNNING, "host:1", False, "worker offline"),
    ],
    ids=["failed", "completed", "silent", "never-taken", "worker-gone"],
)
def test_a_try_a_retry_takes_over_ends_as_it_ended_or_as_stalled(
    status, worker, worker_online, ended_as
):
    assert replace(state(status), worker=worker).ended_as(worker_online) == ended_as
