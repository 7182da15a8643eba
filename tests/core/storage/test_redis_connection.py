"""The one Redis connection helper: both stores beside the database say an unreachable Redis
in the same 503 sentence."""

import uuid

import pytest
import redis

from core.enhancement.job_store import JobStoreUnavailable
from core.enhancement.redis_job_store import RedisJobStore
from core.flows.phase_run_store import RedisPhaseRunStore
from core.kernel.errors import ServiceUnavailable
from core.storage.redis_connection import redis_client

NOWHERE = "redis://127.0.0.1:9/0"


@pytest.mark.parametrize(
    ("store_class", "raised_as"),
    [(RedisJobStore, JobStoreUnavailable), (RedisPhaseRunStore, ServiceUnavailable)],
    ids=["gap_jobs", "phase_runs"],
)
def test_an_unreachable_redis_is_one_503_sentence(store_class, raised_as):
    store = store_class(redis.Redis.from_url(NOWHERE, socket_connect_timeout=1))
    with pytest.raises(raised_as) as raised:
        store.get(str(uuid.uuid4()))
    assert raised.value.status == 503
    assert raised.value.message == "The job store is unreachable (ConnectionError)."


def test_one_client_per_address():
    assert redis_client(NOWHERE) is redis_client(NOWHERE)
    assert redis_client(NOWHERE) is not redis_client(NOWHERE.replace("/0", "/1"))
