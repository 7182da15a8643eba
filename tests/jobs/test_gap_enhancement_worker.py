"""Gap jobs end to end through a real huey_consumer: PostgreSQL + Redis, and SQLite + SqliteHuey."""

import signal
import threading
import time

import pytest

from config.settings import get_settings
from core.enhancement import jobs as gap_jobs
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.errors import BadRequest, Conflict, RateLimited
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionDataGap
from tests.conftest import delete_redis_keys
from tests.jobs.conftest import progress, wait_for
from tests.processes import stop_group

pytestmark = pytest.mark.both_backends

MISSING = ("business_owner", "technical_owner", "business_criticality", "environment", "os_version")


@pytest.fixture
def flow_with_gaps(db, tenant, make_assets):
    """A flow in gap_analysis and 100 distinct gaps on 20 servers."""
    empty = dict.fromkeys(MISSING)
    assets = make_assets(tenant, 20, **empty)
    make_assets(tenant, 5)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Worker e2e")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    gaps = [
        {"field_name": field, "gap_type": "missing", "asset_id": str(a.id), "asset_name": a.name}
        for a in assets
        for field in MISSING
    ]
    return flow_id, gaps


def enhanced_rows(session_maker, ctx, flow_id) -> list[CollectionDataGap]:
    with session_maker() as db, engagement_uow(ctx, db) as uow:
        return uow.gaps.for_flow(uow.flow(flow_id).id)


def phase_of(session_maker, ctx, flow_id):
    with session_maker() as db:
        return CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id).current_phase


def test_accepted_progress_increments_rows_upserted_phase_advances(
    db, session_maker, tenant, flow_with_gaps, start_consumer
):
    flow_id, gaps = flow_with_gaps
    start_consumer()
    assert gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:40])["status"] == "accepted"

    running = wait_for(
        lambda: (
            (p := progress(session_maker, tenant, flow_id))["status"] == "running"
            and 0 < p["processed"] < 40
            and p
        )
    )
    assert running["current_asset"] and running["stalled"] is False
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")

    done = progress(session_maker, tenant, flow_id)
    assert (done["processed"], done["total"], done["percentage"]) == (40, 40, 100.0)
    rows = enhanced_rows(session_maker, tenant, flow_id)
    assert len(rows) == 40
    assert {row.source_agent for row in rows} == {"gap_analysis_specialist"}
    assert phase_of(session_maker, tenant, flow_id) == "questionnaire_generation"


def test_201_gaps_is_a_400(db, tenant, flow_with_gaps, start_consumer):
    flow_id, gaps = flow_with_gaps
    with pytest.raises(BadRequest):
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps + gaps + gaps[:1])


def test_a_second_submission_while_running_is_a_409(
    db, session_maker, tenant, flow_with_gaps, start_consumer
):
    flow_id, gaps = flow_with_gaps
    start_consumer()
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:40])
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "running")
    with pytest.raises(Conflict):
        gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:40])


def test_a_rerun_of_the_same_selection_after_completion_leaves_no_duplicates(
    db, session_maker, tenant, flow_with_gaps, start_consumer
):
    flow_id, gaps = flow_with_gaps
    start_consumer()
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:5])
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")
    when_allowed(lambda: gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:5]))
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")
    assert len(enhanced_rows(session_maker, tenant, flow_id)) == 5


def test_twenty_threads_submitting_at_once_exactly_one_is_accepted(
    session_maker, tenant, flow_with_gaps, start_consumer
):
    flow_id, gaps = flow_with_gaps
    barrier = threading.Barrier(20)
    outcomes = []

    def submit():
        with session_maker() as db:
            barrier.wait()
            try:
                outcomes.append(
                    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:10])["status"]
                )
            except (Conflict, RateLimited) as refused:
                outcomes.append(refused.status)

    threads = [threading.Thread(target=submit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("accepted") == 1
    assert sorted(set(outcomes) - {"accepted"}) == [409]


def test_a_killed_consumer_stalls_the_job_and_a_retry_finishes_it_exactly_once(
    db, session_maker, tenant, flow_with_gaps, start_consumer
):
    flow_id, gaps = flow_with_gaps
    consumer = start_consumer()
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    wait_for(lambda: progress(session_maker, tenant, flow_id)["processed"] >= 10)

    stop_group(consumer, signal.SIGKILL)
    stalled = wait_for(
        lambda: (p := progress(session_maker, tenant, flow_id))["stalled"] and p,
        timeout=get_settings().job_stall_seconds + 10,
    )
    assert stalled["status"] == "running" and 10 <= stalled["processed"] < 100

    assert when_allowed(lambda: retry(db, tenant, flow_id))["status"] == "accepted"
    start_consumer()
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")

    rows = enhanced_rows(session_maker, tenant, flow_id)
    identities = {(row.asset_id, row.field_name, row.gap_type) for row in rows}
    assert len(rows) == len(identities) == 100
    assert all(row.source_agent == "gap_analysis_specialist" for row in rows)


def retry(db, ctx, flow_id: str) -> dict:
    with engagement_uow(ctx, db) as uow:
        return gap_jobs.retry_gap_analysis(uow, flow_id)


def when_allowed(call):
    """Call; if rate limited, wait as long as the 429 says and call again."""
    try:
        return call()
    except RateLimited as limited:
        time.sleep(limited.retry_after_seconds + 0.05)
        return call()


def test_an_interrupted_consumer_puts_the_job_back_and_the_next_one_finishes_it(
    db, session_maker, tenant, flow_with_gaps, start_consumer, queue
):
    flow_id, gaps = flow_with_gaps
    consumer = start_consumer(workers=1)
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps[:60])
    wait_for(lambda: progress(session_maker, tenant, flow_id)["processed"] >= 5)

    stop_group(consumer, signal.SIGTERM)  # huey's "interrupt": running tasks are signalled
    assert queue.pending_count() == 1
    start_consumer()
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")
    assert len(enhanced_rows(session_maker, tenant, flow_id)) == 60


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_redis_flushed_mid_job_loses_nothing_and_the_flow_can_be_submitted_again(
    db, session_maker, tenant, flow_with_gaps, start_consumer, queue
):
    flow_id, gaps = flow_with_gaps
    start_consumer()
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    wait_for(lambda: progress(session_maker, tenant, flow_id)["processed"] >= 10)

    # Every key of this deployment goes: the job key and rate limit (under the prefix) and
    # the queue (Huey names its keys huey.*.<prefix>collection).
    assert delete_redis_keys(get_settings().redis_key_prefix) > 0
    queue.flush()
    assert progress(session_maker, tenant, flow_id) == {"status": "not_started"}
    written_before = len(enhanced_rows(session_maker, tenant, flow_id))
    assert written_before >= 10

    assert gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)["status"] == "accepted"
    wait_for(lambda: progress(session_maker, tenant, flow_id)["status"] == "completed")
    rows = enhanced_rows(session_maker, tenant, flow_id)
    assert len(rows) == len({(r.asset_id, r.field_name) for r in rows}) == 100


def test_a_big_gap_scan_runs_on_a_worker(
    db, uow_of, session_maker, tenant, make_assets, start_consumer, monkeypatch
):
    from core.flows.phase_runs import run_phase

    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 2)
    assets = make_assets(tenant, 3, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Big scan")
    with uow_of(tenant) as uow:
        ids = [str(a.id) for a in assets]
        run_phase(uow, flow_id, "asset_selection", {"selected_asset_ids": ids})
    assert phase_of(session_maker, tenant, flow_id) == "asset_selection"  # queued, not run
    start_consumer()
    wait_for(lambda: phase_of(session_maker, tenant, flow_id) == "gap_analysis")
    with uow_of(tenant) as uow:
        queued = run_phase(uow, flow_id, "gap_analysis")
    assert queued["mode"] == "queued" and queued["assets"] == 3
    wait_for(lambda: phase_of(session_maker, tenant, flow_id) == "questionnaire_generation")
    assert len(enhanced_rows(session_maker, tenant, flow_id)) == 3
