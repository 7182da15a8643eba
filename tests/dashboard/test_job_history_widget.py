"""The Jobs table and the tries of each job that was retried or did not end well, each try
saying who started it, when, how it ended, what it did, for how long and on which worker."""

from datetime import UTC, datetime

from streamlit.testing.v1 import AppTest

from core.enhancement.job_attempts import JobAttempt
from core.enhancement.job_history import JobRecord
from tests.dashboard.conftest import read

QUEUED_AT = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
# Text people typed, shown as typed (st.text renders no markdown).
TYPED_NAME = "**Ada** [Admin](http://evil)"


def at(minute: int, second: int = 0) -> datetime:
    return QUEUED_AT.replace(minute=minute, second=second)


def attempt(number: int, status: str, **fields) -> JobAttempt:
    values = {
        "started_by": None,
        "queued_at": at(0),
        "started_at": None,
        "ended_at": None,
        "processed": 0,
        "total": 3,
        "failed": 0,
        "errors": (),
        "worker": None,
        **fields,
    }
    return JobAttempt(number=number, status=status, **values)


def job(flow_name: str, status: str, attempts: tuple[JobAttempt, ...], **fields) -> JobRecord:
    values = {
        "job_id": flow_name,
        "flow_id": flow_name,
        "submitted_by": "Dana Analyst",
        "submitted_at": QUEUED_AT,
        "finished_at": None,
        "processed": 3,
        "total": 3,
        "failed": 0,
        "retries": len(attempts) - 1,
        "errors": (),
        "running_seconds": 22.0,
        "heartbeat_at": None,
        **fields,
    }
    return JobRecord(flow_name=flow_name, status=status, attempts=attempts, **values)


RETRIED = job(
    "Wave 1",
    "completed",
    (
        attempt(
            1,
            "stalled",
            started_by="Dana Analyst",
            started_at=at(0, 10),
            ended_at=at(0, 12),
            processed=1,
            failed=1,
            errors=("srv-1 / business_owner: the agent timed out",),
            worker="host-a:101",
        ),
        attempt(
            2,
            "completed",
            started_by=TYPED_NAME,
            queued_at=at(5),
            started_at=at(5, 1),
            ended_at=at(5, 21),
            processed=3,
            worker="host-b:202",
        ),
    ),
    retried_by=TYPED_NAME,
)
ONCE = job(
    "Wave 2",
    "completed",
    (attempt(1, "completed", started_by="Dana Analyst", processed=3, worker="host-a:101"),),
)


def lines(block) -> list[str]:
    """What a block shows, one line per element, as a person reads it (markdown rendered)."""
    shown = (block.children[index] for index in sorted(block.children))
    return [item.value if item.type == "text" else read(item.value) for item in shown]


def script(jobs: "list[JobRecord]") -> None:  # run as a script: names resolve there
    from dashboard.widgets import job_history

    job_history.show(jobs, key="jobs")


def test_a_retried_job_lists_every_try_with_who_started_it():
    app = AppTest.from_function(script, args=([RETRIED, ONCE],)).run()
    assert not app.exception
    [table] = app.dataframe
    assert list(table.value["Status"]) == ["Completed", "Completed"]
    assert list(table.value["By"]) == [f"Dana Analyst, retried by {TYPED_NAME}", "Dana Analyst"]

    # Only the retried job lists its tries; the one that went well at once needs none.
    [tries] = app.expander
    assert tries.label == "Tries of 1 job"
    assert lines(tries) == [
        "Wave 1 · 2026-12-07 10:00 UTC",
        "Try 1 by Dana Analyst (submitted 2026-12-07 10:00 UTC): stalled, 1 of 3 gaps,"
        " 1 failed in 2 s on host-a:101",
        "Last error: srv-1 / business_owner: the agent timed out",
        f"Try 2 by {TYPED_NAME} (retried 2026-12-07 10:05 UTC): completed, 3 of 3 gaps"
        " in 20 s on host-b:202",
    ]


def test_a_job_that_failed_at_once_lists_its_one_try_and_a_queued_retry_waits():
    failed = job(
        "Wave 3",
        "queued",
        (
            attempt(1, "failed", started_by="Dana Analyst", errors=("the database is gone",)),
            attempt(2, "queued", queued_at=at(7)),
        ),
    )
    lone = job("Wave 4", "failed", (attempt(1, "worker offline", worker="host-c:303"),))
    app = AppTest.from_function(script, args=([failed, lone],)).run()
    assert not app.exception
    [tries] = app.expander
    assert tries.label == "Tries of 2 jobs"
    assert lines(tries) == [
        "Wave 3 · 2026-12-07 10:00 UTC",
        "Try 1 by Dana Analyst (submitted 2026-12-07 10:00 UTC): failed, 0 of 3 gaps",
        "Last error: the database is gone",
        "Try 2 (retried 2026-12-07 10:07 UTC): waiting for a worker, 0 of 3 gaps",
        "Wave 4 · 2026-12-07 10:00 UTC",
        "Try 1 (submitted 2026-12-07 10:00 UTC): its worker went offline, 0 of 3 gaps on"
        " host-c:303",
    ]
