"""What crosses the queue is JSON of primitives: a message can never run code."""

import datetime
import json
import logging
import pickle
import uuid

import pytest
from huey.registry import Message

from core.kernel.dispatch import get_dispatcher
from jobs.serializer import JSONSerializer
from tests.jobs.conftest import phase_primitives

pytestmark = pytest.mark.both_backends


class TouchesAFile:
    """What an attacker with access to Redis pushes: unpickling it would create a file."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def run_one_worker_loop(huey) -> None:
    """What each consumer worker does: take one message off the queue and run it."""
    worker = huey.create_consumer(workers=1)._create_worker()
    worker.loop()


def test_a_pickled_payload_pushed_onto_the_queue_is_dropped_without_running(
    queue, tmp_path, caplog
):
    touched = tmp_path / "pwned"
    queue.storage.enqueue(pickle.dumps(TouchesAFile(touched)))

    with caplog.at_level(logging.ERROR, logger="huey.consumer"):
        run_one_worker_loop(queue)

    assert not touched.exists()
    assert queue.pending_count() == 0
    assert "Error reading from queue" in caplog.text


def test_a_task_survives_the_queue_with_its_times_and_pipeline(queue):
    tasks = get_dispatcher()
    eta = datetime.datetime(2031, 5, 4, 3, 2, 1, 123456)
    then = tasks.flow_phase.s(**phase_primitives())
    task = tasks.gap_enhancement.s(
        client_account_id=str(uuid.uuid4()),
        engagement_id=str(uuid.uuid4()),
        collection_flow_id=str(uuid.uuid4()),
        flow_id=str(uuid.uuid4()),
        selected_gaps=[{"field_name": "environment", "gap_type": "missing", "asset_name": None}],
        job_id="job-1",
    ).then(then)
    task.eta, task.retries, task.retry_delay = eta, 2, 1.5
    task.expires = datetime.timedelta(minutes=5)
    task.resolve_expires(queue.utc)

    queue.enqueue(task)
    [raw] = queue.storage.enqueued_items()
    assert json.loads(raw)["kwargs"] == task.kwargs
    back = queue.dequeue()

    assert (back.id, back.name, back.kwargs) == (task.id, task.name, task.kwargs)
    assert (back.eta, back.retries, back.retry_delay) == (eta, 2, 1.5)
    assert back.expires == datetime.timedelta(minutes=5)
    assert back.expires_resolved == task.expires_resolved
    assert (back.on_complete.id, back.on_complete.kwargs) == (then.id, then.kwargs)


def test_a_task_with_an_object_for_an_argument_is_refused_when_enqueued(queue):
    tasks = get_dispatcher()
    with pytest.raises(TypeError):
        tasks.enqueue_phase(**{**phase_primitives(), "user_id": uuid.uuid4()})
    assert queue.pending_count() == 0


def test_a_revoked_task_stays_revoked_until_its_time(queue):
    tasks = get_dispatcher()
    task = tasks.flow_phase.s(**phase_primitives())
    until = datetime.datetime(2031, 1, 1)
    queue.revoke(task, revoke_until=until)
    assert queue.is_revoked(task, timestamp=until - datetime.timedelta(seconds=1))
    assert not queue.is_revoked(task, timestamp=until)


@pytest.mark.parametrize(
    "expires",
    [
        300,
        2.5,
        datetime.timedelta(seconds=90),
        datetime.datetime(2031, 1, 1, 12, 30),
        datetime.datetime(2031, 1, 1, tzinfo=datetime.UTC),
    ],
)
def test_each_form_of_expiry_comes_back_as_it_went(expires):
    serializer = JSONSerializer()
    message = Message(id="a", name="jobs.tasks.run_flow_phase", args=(), kwargs={}, expires=expires)
    back = serializer.deserialize(serializer.serialize(message))
    assert back == message and type(back.expires) is type(expires)
