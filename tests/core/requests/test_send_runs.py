"""Sending requests as a run of its own: queued at once, one at a time per flow, its progress in
owners prepared of owners, and a worker that dies midway loses nothing and mails nobody twice."""

import time
from typing import Any

import pytest

from config.settings import get_settings
from core.kernel.dispatch import set_dispatcher
from core.kernel.errors import Conflict, ServiceUnavailable
from core.requests import sending
from core.requests.progress import owner_progress
from core.requests.send_runs import BUSY, run_queued_send, send_store, start_send, summary_of
from db.session import get_engine
from tests.core.requests.conftest import InlineWorkers
from tests.factories import in_uow

pytestmark = pytest.mark.both_backends


class QueuedSends(InlineWorkers):
    """The queue: send runs kept for the test to run as a worker would; mails delivered at once."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[dict[str, Any]] = []

    def enqueue_phase(self, **primitives: Any) -> None:
        self.runs.append(primitives)


@pytest.fixture
def queued(mailbox):
    queue = QueuedSends()
    set_dispatcher(queue)
    yield queue
    set_dispatcher(None)


def as_the_worker(db, task: dict[str, Any]) -> str:
    """Run a queued send run as the task does (its own sessions), and how it ended."""
    db.rollback()  # SQLite: the worker's sessions need the write lock
    primitives = {k: v for k, v in task.items() if k not in ("phase_name", "user_id")}
    return run_queued_send(**primitives)


def the_run(db, owned):
    db.rollback()
    key = str(in_uow(db, owned.ctx, lambda uow: uow.flow(owned.flow_id).id))
    return send_store(get_engine()).get(key), key


def test_send_answers_at_once_and_the_worker_prepares_every_owner(db, owned_flow, queued, mailbox):
    owned = owned_flow()

    started = in_uow(db, owned.ctx, start_send, owned.flow_id, resend=False)

    assert started["mode"] == "queued" and mailbox.messages == []
    [task] = queued.runs
    assert task["phase_name"] == "send_requests"
    assert task["phase_input"] == {"due_on": None, "resend": False}
    run, _ = the_run(db, owned)
    assert (str(run.status), run.done, run.total) == ("queued", 0, 0)
    with pytest.raises(Conflict, match=BUSY):
        in_uow(db, owned.ctx, start_send, owned.flow_id)  # one send of a flow at a time
    assert len(queued.runs) == 1

    assert as_the_worker(db, task) == "completed"

    run, _ = the_run(db, owned)
    assert (run.done, run.total, run.unit) == (2, 2, "owners")
    summary = summary_of(run)
    assert summary is not None and (summary.owners_mailed, summary.owners_up_to_date) == (2, 0)
    assert summary.unassigned_questions >= 3
    assert sorted(str(m["To"]) for m in mailbox.messages) == ["Lee Park <lee@x.org>", "dana@x.org"]
    again = in_uow(db, owned.ctx, start_send, owned.flow_id)  # an ended run lets a new one in
    assert again["run_id"] != run.run_id


class WorkerDied(BaseException):
    """Stands for the worker's process ending: nothing after it runs, no failure is written."""


def test_a_worker_that_dies_midway_loses_nothing_and_the_next_send_mails_nobody_twice(
    db, owned_flow, queued, mailbox, monkeypatch, app_settings
):
    app_settings(JOB_STALL_SECONDS="600")  # the dead worker's run reads as live until aged
    owned = owned_flow()
    monkeypatch.setattr(sending, "OWNERS_PER_BATCH", 1)
    handed = sending.hand_to_workers

    def die_after_the_first_batch(uow, request_ids):
        handed(uow, request_ids)
        raise WorkerDied

    monkeypatch.setattr(sending, "hand_to_workers", die_after_the_first_batch)
    in_uow(db, owned.ctx, start_send, owned.flow_id)
    with pytest.raises(WorkerDied):
        as_the_worker(db, queued.runs.pop())
    monkeypatch.setattr(sending, "hand_to_workers", handed)
    assert len(mailbox.messages) == 1  # the first batch: committed, and its mail went out
    run, key = the_run(db, owned)
    assert str(run.status) == "running"
    with pytest.raises(Conflict, match=BUSY):
        in_uow(db, owned.ctx, start_send, owned.flow_id)  # still reads as live
    # Its heartbeat stops: past the stall limit the run no longer holds the flow.
    send_store(get_engine()).update_if_current(key, run.with_changes(time.time() - 3600))

    in_uow(db, owned.ctx, start_send, owned.flow_id)
    assert as_the_worker(db, queued.runs.pop()) == "completed"

    summary = summary_of(the_run(db, owned)[0])
    assert summary is not None and (summary.owners_mailed, summary.owners_up_to_date) == (1, 1)
    rows = in_uow(db, owned.ctx, owner_progress, owned.flow_id)
    assert sorted(row.owner_email for row in rows) == ["dana@x.org", "lee@x.org"]  # one each
    assert {row.delivery for row in rows} == {"sent"}
    assert sorted(str(m["To"]) for m in mailbox.messages) == ["Lee Park <lee@x.org>", "dana@x.org"]


def test_a_refusal_at_run_time_is_the_runs_one_sentence(
    db, owned_flow, queued, monkeypatch, mailbox
):
    owned = owned_flow()
    in_uow(db, owned.ctx, start_send, owned.flow_id)
    monkeypatch.setenv("SMTP_HOST", "")  # mail taken out of the setup before the worker runs
    get_settings.cache_clear()

    assert as_the_worker(db, queued.runs.pop()) == "failed"

    run, _ = the_run(db, owned)
    assert run.failure == "Mail is not set up: set SMTP_HOST to send requests."
    assert mailbox.messages == []
    with pytest.raises(ServiceUnavailable, match="SMTP_HOST"):
        in_uow(db, owned.ctx, start_send, owned.flow_id)  # refused now, nothing queued
    assert queued.runs == []


def test_an_unreachable_queue_gives_the_key_back(db, owned_flow, mailbox):
    owned = owned_flow()

    class Down(QueuedSends):
        def enqueue_phase(self, **primitives: Any) -> None:
            raise ConnectionError("queue down")

    set_dispatcher(Down())
    try:
        with pytest.raises(ServiceUnavailable, match="no request was sent"):
            in_uow(db, owned.ctx, start_send, owned.flow_id)
    finally:
        set_dispatcher(None)
    run, _ = the_run(db, owned)
    assert run is None


def test_a_batch_finds_its_owners_requests_and_a_resend_mails_them_again(
    db, owned_flow, queued, mailbox, monkeypatch
):
    owned = owned_flow()
    monkeypatch.setattr(sending, "OWNERS_PER_BATCH", 2)  # dana@ and lee@ in one batch
    in_uow(db, owned.ctx, start_send, owned.flow_id)
    assert as_the_worker(db, queued.runs.pop()) == "completed"

    in_uow(db, owned.ctx, start_send, owned.flow_id, resend=True)
    assert as_the_worker(db, queued.runs.pop()) == "completed"

    summary = summary_of(the_run(db, owned)[0])
    assert summary is not None and summary.owners_mailed == 2
    rows = in_uow(db, owned.ctx, owner_progress, owned.flow_id)
    assert sorted(row.owner_email for row in rows) == ["dana@x.org", "lee@x.org"]
    assert len(mailbox.messages) == 4
