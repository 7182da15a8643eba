"""What crosses the queue is JSON of primitives: a message can never run code."""

import datetime
import json
import logging
import pickle
import uuid

import pytest
from huey.registry import Message

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_runs import run_phase
from core.kernel.dispatch import get_dispatcher
from db.session import get_engine
from jobs.serializer import JSONSerializer, UnreadableMessage
from tests.core.enhancement.test_jobs import phase_of
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
    message, _signature = raw.rsplit(b".", 1)
    assert json.loads(message)["kwargs"] == task.kwargs
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
    serializer = JSONSerializer("q" * 40)
    message = Message(id="a", name="jobs.tasks.run_flow_phase", args=(), kwargs={}, expires=expires)
    back = serializer.deserialize(serializer.serialize(message))
    assert back == message and type(back.expires) is type(expires)


@pytest.fixture
def scan_on_the_queue(db, uow_of, tenant, make_assets, queue, monkeypatch):
    """A flow standing in gap_analysis whose scan was handed to the queue, and the message."""
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    assets = make_assets(tenant, 2, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Big scan")
    with uow_of(tenant) as uow:
        ids = [str(a.id) for a in assets]
        CollectionChildFlowService(uow, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": ids}
        )
    with uow_of(tenant) as uow:
        assert run_phase(uow, flow_id, "gap_analysis")["mode"] == "queued"
    db.rollback()  # SQLite: the worker's session needs the write lock
    [raw] = queue.storage.enqueued_items()
    get_engine.cache_clear()  # the worker opens its sessions on this test's settings
    yield flow_id, raw
    get_engine().dispose()
    get_engine.cache_clear()


def test_a_signed_message_runs_its_phase(db, tenant, queue, scan_on_the_queue):
    flow_id, _ = scan_on_the_queue
    run_one_worker_loop(queue)
    assert phase_of(db, tenant, flow_id) == "questionnaire_generation"


def test_a_forged_message_of_the_right_shape_is_dropped_without_running(
    db, tenant, queue, scan_on_the_queue, caplog
):
    flow_id, genuine = scan_on_the_queue
    queue.flush()
    # What someone who can write to Redis, but has no secret, pushes: the real message's JSON.
    forged = genuine.rsplit(b".", 1)[0]
    assert json.loads(forged)["kwargs"]["flow_id"] == flow_id
    queue.storage.enqueue(forged)

    with caplog.at_level(logging.WARNING):
        run_one_worker_loop(queue)

    assert queue.pending_count() == 0
    assert "dropped a queue message without a valid signature" in caplog.text
    assert phase_of(db, tenant, flow_id) == "gap_analysis"


def test_a_message_altered_after_signing_is_dropped(db, tenant, queue, scan_on_the_queue, caplog):
    flow_id, genuine = scan_on_the_queue
    queue.flush()
    body, signature = genuine.rsplit(b".", 1)
    altered = json.loads(body)
    altered["kwargs"]["phase_name"] = "asset_selection"
    queue.storage.enqueue(json.dumps(altered).encode() + b"." + signature)

    with caplog.at_level(logging.WARNING):
        run_one_worker_loop(queue)

    assert "dropped a queue message without a valid signature" in caplog.text
    assert phase_of(db, tenant, flow_id) == "gap_analysis"


def test_a_message_signed_with_another_secret_is_unreadable():
    message = Message(id="a", name="run_flow_phase", args=(), kwargs=phase_primitives())
    elsewhere = JSONSerializer("e" * 40).serialize(message)
    with pytest.raises(UnreadableMessage):
        JSONSerializer("h" * 40).deserialize(elsewhere)
    assert JSONSerializer("e" * 40).deserialize(elsewhere) == message
