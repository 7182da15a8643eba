"""One contract for the job-key store, run against Redis and the SQL table on both dialects."""

import threading
import time
import uuid
from dataclasses import replace

import pytest
import redis

from core.enhancement.job_state import ACTIVE_JOB_STATUSES, JobState, JobStatus
from core.enhancement.job_store import ClaimOutcome, JobStoreUnavailable
from core.enhancement.redis_job_store import RedisJobStore
from core.enhancement.selection import SelectedGap
from core.enhancement.sql_job_store import SqlJobStore
from db.session import create_db_engine
from tests.conftest import empty_database

pytestmark = pytest.mark.both_backends

ACCEPTED, CONFLICT, RATE_LIMITED = ClaimOutcome

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


SELECTION = (
    SelectedGap(field_name="business_owner", gap_type="missing", asset_id=uuid.uuid4()),
    SelectedGap(
        field_name="environment", gap_type="invalid", asset_id=uuid.uuid4(), asset_name="web"
    ),
)


def job(status=JobStatus.QUEUED, heartbeat_at=None, job_id=None) -> JobState:
    return JobState(
        job_id=job_id or str(uuid.uuid4()),
        status=status,
        total=3,
        heartbeat_at=heartbeat_at if heartbeat_at is not None else time.time(),
        submitted_by=None,
    )


def claim(store, flow: str, state: JobState):
    return store.claim(flow, state, SELECTION, stall_seconds=STALL)


def test_a_claim_takes_the_job_key(store):
    flow = str(uuid.uuid4())
    state = job()
    assert claim(store, flow, state) == (ACCEPTED, 0.0)
    assert store.get(flow) == state
    assert store.get_selection(flow) == SELECTION


@pytest.mark.parametrize("status", sorted(ACTIVE_JOB_STATUSES))
def test_an_active_job_is_a_conflict_before_the_rate_limit(store, status):
    flow = str(uuid.uuid4())
    claim(store, flow, job(status))
    outcome, _ = claim(store, flow, job())
    assert outcome == CONFLICT


def test_a_finished_job_leaves_a_ten_second_rate_limit(store):
    flow = str(uuid.uuid4())
    first = job()
    claim(store, flow, first)
    assert store.update_if_current(flow, replace(first, status=JobStatus.COMPLETED), ["status"])
    outcome, wait = claim(store, flow, job())
    assert outcome == RATE_LIMITED
    assert 0 < wait <= 10


def test_a_stalled_job_no_longer_blocks(store):
    flow = str(uuid.uuid4())
    old = job(status=JobStatus.RUNNING, heartbeat_at=time.time() - STALL - 1)
    claim(store, flow, old)
    store.delete(flow, "not-the-current-job")  # drops the rate limit, keeps the job key
    assert store.get(flow).job_id == old.job_id
    assert claim(store, flow, job())[0] == ACCEPTED


def test_progress_is_written_only_while_the_key_is_that_jobs(store):
    flow = str(uuid.uuid4())
    first = job()
    claim(store, flow, first)
    assert store.update_if_current(flow, replace(first, processed=1), ["processed"])
    assert not store.update_if_current(
        flow, replace(first, job_id="another-job", processed=2), ["processed"]
    )
    assert store.get(flow) == replace(first, processed=1)
    assert store.get_selection(flow) == SELECTION  # a progress write leaves the selection
    store.delete(flow)
    assert store.get(flow) is None
    assert store.get_selection(flow) == ()
    assert not store.update_if_current(flow, replace(first, processed=3), ["processed"])
    assert store.get(flow) is None


def test_only_the_changed_fields_are_written(store):
    flow = str(uuid.uuid4())
    first = job()
    claim(store, flow, first)
    written = replace(first, processed=2, errors=("web / os: gone",), failed_indexes=(1,))
    assert store.update_if_current(flow, replace(written, total=99), ["processed", "errors"])
    assert store.get(flow) == replace(written, failed_indexes=())


def test_put_back_restores_a_job_only_over_the_one_it_replaced(store):
    flow = str(uuid.uuid4())
    stalled = job(status=JobStatus.RUNNING, heartbeat_at=time.time() - STALL - 1)
    claim(store, flow, stalled)
    store.delete(flow, "not-the-current-job")  # drops the rate limit, keeps the job key
    retry = job()  # over the one gap the stalled job had left
    assert store.claim(flow, retry, SELECTION[1:], stall_seconds=STALL)[0] == ACCEPTED
    store.put_back(flow, "some-other-job", replace(stalled, processed=9), SELECTION)
    assert store.get(flow) == retry  # a key holding another job is left alone
    store.put_back(flow, retry.job_id, stalled, SELECTION)
    assert store.get(flow) == stalled
    assert store.get_selection(flow) == SELECTION
    assert claim(store, flow, job())[0] == ACCEPTED  # stalled, and no rate limit left


def test_get_many_reads_several_keys_at_once(store):
    flows = [str(uuid.uuid4()) for _ in range(3)]
    states = {flow: job() for flow in flows[:2]}
    for flow, state in states.items():
        claim(store, flow, state)
    assert store.get_many(flows) == states
    assert store.get_many([]) == {}


def test_twenty_simultaneous_claims_accept_exactly_one(store):
    flow = str(uuid.uuid4())
    start = threading.Barrier(20)
    outcomes = []

    def claim_at_once():
        start.wait()
        outcomes.append(claim(store, flow, job())[0])

    threads = [threading.Thread(target=claim_at_once) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(ACCEPTED) == 1
    assert outcomes.count(CONFLICT) == 19


def test_an_unreachable_redis_is_a_503():
    client = redis.Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=1)
    store = RedisJobStore(client)
    with pytest.raises(JobStoreUnavailable) as raised:
        store.get(str(uuid.uuid4()))
    assert raised.value.status == 503
