"""One contract for the job-key store, run against Redis and the SQL table on both dialects."""

import threading
import time
import uuid

import pytest
import redis

from core.enhancement.job_store import ACCEPTED, CONFLICT, RATE_LIMITED, RedisJobStore, SqlJobStore
from db.session import create_db_engine
from tests.conftest import empty_database

STALL = 5


@pytest.fixture(params=["postgresql", "sqlite", "redis"])
def store(request, redis_prefix):
    if request.param == "redis":
        client = redis.Redis.from_url("redis://127.0.0.1:6379/0", decode_responses=True)
        yield RedisJobStore(client, prefix=f"{redis_prefix}store-{uuid.uuid4().hex[:6]}:")
        client.close()
        return
    engine = create_db_engine(request.getfixturevalue(f"{request.param}_database_url"))
    owner = create_db_engine(request.getfixturevalue(f"{request.param}_owner_url"))
    yield SqlJobStore(engine)
    engine.dispose()
    empty_database(owner)
    owner.dispose()


def job(status="queued", heartbeat_at=None, job_id=None):
    return {
        "job_id": job_id or str(uuid.uuid4()),
        "status": status,
        "processed": 0,
        "total": 3,
        "heartbeat_at": heartbeat_at if heartbeat_at is not None else time.time(),
    }


def test_a_claim_takes_the_job_key(store):
    flow = str(uuid.uuid4())
    state = job()
    assert store.claim(flow, state, stall_seconds=STALL) == (ACCEPTED, 0.0)
    assert store.get(flow) == state


def test_an_active_job_is_a_conflict_before_the_rate_limit(store):
    flow = str(uuid.uuid4())
    store.claim(flow, job(), stall_seconds=STALL)
    outcome, _ = store.claim(flow, job(), stall_seconds=STALL)
    assert outcome == CONFLICT


def test_a_finished_job_leaves_a_ten_second_rate_limit(store):
    flow = str(uuid.uuid4())
    first = job()
    store.claim(flow, first, stall_seconds=STALL)
    assert store.update_if_current(flow, first["job_id"], {**first, "status": "completed"})
    outcome, wait = store.claim(flow, job(), stall_seconds=STALL)
    assert outcome == RATE_LIMITED
    assert 0 < wait <= 10


def test_a_stalled_job_no_longer_blocks(store):
    flow = str(uuid.uuid4())
    old = job(status="running", heartbeat_at=time.time() - STALL - 1)
    store.claim(flow, old, stall_seconds=STALL)
    store.delete(flow, "not-the-current-job")  # drops the rate limit, keeps the job key
    assert store.get(flow)["job_id"] == old["job_id"]
    assert store.claim(flow, job(), stall_seconds=STALL)[0] == ACCEPTED


def test_progress_is_written_only_while_the_key_is_that_jobs(store):
    flow = str(uuid.uuid4())
    first = job()
    store.claim(flow, first, stall_seconds=STALL)
    assert store.update_if_current(flow, first["job_id"], {**first, "processed": 1})
    assert not store.update_if_current(flow, "another-job", {**first, "processed": 2})
    store.delete(flow)
    assert store.get(flow) is None
    assert not store.update_if_current(flow, first["job_id"], {**first, "processed": 3})
    assert store.get(flow) is None


def test_get_many_reads_several_keys_at_once(store):
    flows = [str(uuid.uuid4()) for _ in range(3)]
    for flow in flows[:2]:
        store.claim(flow, job(), stall_seconds=STALL)
    assert set(store.get_many(flows)) == set(flows[:2])


def test_twenty_simultaneous_claims_accept_exactly_one(store):
    flow = str(uuid.uuid4())
    start = threading.Barrier(20)
    outcomes = []

    def claim():
        start.wait()
        outcomes.append(store.claim(flow, job(), stall_seconds=STALL)[0])

    threads = [threading.Thread(target=claim) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(ACCEPTED) == 1
    assert outcomes.count(CONFLICT) == 19
