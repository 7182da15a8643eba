"""Each deployment on a shared Redis has a queue of its own."""

import secrets

import pytest

from config.settings import Settings
from jobs.huey_app import make_huey
from jobs.tasks import register_tasks
from tests.conftest import REDIS_SERVER
from tests.jobs.conftest import phase_primitives


@pytest.fixture
def huey_for_prefix():
    made = []

    def make(prefix: str):
        huey = make_huey(
            Settings(redis_url=REDIS_SERVER, redis_key_prefix=prefix, session_secret="q" * 40)
        )
        made.append(huey)
        return huey, register_tasks(huey)

    yield make
    for huey in made:
        huey.flush()


def test_prefixes_that_differ_only_in_punctuation_have_their_own_queues(huey_for_prefix):
    # Redis keys keep every character: "sec:" and "s.e.c:" must not meet on one list.
    run = f"t{secrets.token_hex(4)}"
    first, first_tasks = huey_for_prefix(f"{run}sec:")
    second, _ = huey_for_prefix(f"{run}s.e.c:")

    first_tasks.enqueue_phase(**phase_primitives())

    assert first.pending_count() == 1
    assert second.pending_count() == 0
    assert second.dequeue() is None
    # As the README says, for operators who look for a deployment's keys.
    assert first.storage.queue_key == f"huey.redis.{run}sec:collection"
