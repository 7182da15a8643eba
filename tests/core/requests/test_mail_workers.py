"""Mail goes out from a real huey_consumer; a failed attempt is retried, the last one kept as
failed, and the request is never lost."""

import pytest

from core.kernel.dispatch import set_dispatcher
from core.requests.delivery import deliver_request_mails
from core.requests.progress import owner_progress
from core.requests.queued_tasks import MailNotDelivered
from core.requests.send_runs import send_store, start_send, summary_of
from core.requests.sending import send_requests
from db.session import get_engine
from jobs.tasks import owner_mail
from tests.factories import in_uow
from tests.jobs.conftest import wait_for


def test_the_workers_deliver_the_mails_a_send_queues(db, owned_flow, mailbox, start_consumer):
    owned = owned_flow()
    start_consumer()
    summary = in_uow(db, owned.ctx, send_requests, owned.flow_id)
    assert summary.owners_mailed == 2
    mailbox.wait_for(2)
    assert sorted(str(m["To"]) for m in mailbox.messages) == ["Lee Park <lee@x.org>", "dana@x.org"]


@pytest.mark.both_backends
def test_a_real_consumer_runs_the_send_run_then_delivers_its_mails(
    db, owned_flow, mailbox, start_consumer
):
    owned = owned_flow()
    start_consumer()

    started = in_uow(db, owned.ctx, start_send, owned.flow_id)

    mailbox.wait_for(2)
    assert sorted(str(m["To"]) for m in mailbox.messages) == ["Lee Park <lee@x.org>", "dana@x.org"]
    db.rollback()
    key = str(in_uow(db, owned.ctx, lambda uow: uow.flow(owned.flow_id).id))
    run = wait_for(lambda: _ended(send_store(get_engine()).get(key)))
    assert run.run_id == started["run_id"] and (run.done, run.total) == (2, 2)
    assert summary_of(run).owners_mailed == 2
    rows = in_uow(db, owned.ctx, owner_progress, owned.flow_id)
    assert {row.delivery for row in rows} == {"sent"}


def _ended(run):
    return run if run is not None and not run.status.is_active else None


class Attempt:
    """The task context Huey hands a task: how many retries are left."""

    def __init__(self, retries: int) -> None:
        self.retries = retries


class Recording:
    """The queue, keeping the tasks for the test to run as the worker's attempts."""

    def __init__(self) -> None:
        self.tasks: list[dict] = []

    def enqueue_owner_mail(self, **primitives):
        self.tasks.append(primitives)


@pytest.fixture
def recording(mailbox):
    queued = Recording()
    set_dispatcher(queued)  # type: ignore[arg-type]
    yield queued
    set_dispatcher(None)


def test_a_refused_mail_is_retried_then_kept_as_failed(db, owned_flow, mailbox, recording):
    owned = owned_flow()
    mailbox.refuse.add("dana@x.org")
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    (task,) = recording.tasks
    with pytest.raises(MailNotDelivered):
        owner_mail(**task, task=Attempt(retries=2))
    rows = {row.owner_email: row for row in in_uow(db, owned.ctx, owner_progress, owned.flow_id)}
    assert (rows["dana@x.org"].delivery, rows["lee@x.org"].delivery) == ("retrying", "sent")
    assert owner_mail(**task, task=Attempt(retries=0)) == "sent 0, failed 1"
    rows = {row.owner_email: row for row in in_uow(db, owned.ctx, owner_progress, owned.flow_id)}
    assert rows["dana@x.org"].delivery == "failed"
    assert len(mailbox.messages) == 1  # Lee was not mailed twice by the retry
    assert deliver_request_mails(**task, final_attempt=True).sent == 0
