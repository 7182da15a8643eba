"""Admin's incident list: failed, stalled or stuck only, since when, with one action each."""

import time
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from core.enhancement import jobs as gap_jobs
from core.enhancement.incidents import Remedy, Trouble, list_incidents
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.worker_beats import WorkerBeat, worker_registry_for
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.state import CollectionFlowStateService
from db.models import CollectionFlow
from db.types import utcnow
from tests.core.enhancement.test_jobs import flow_in_gap_analysis, in_uow

pytestmark = pytest.mark.both_backends
__all__ = ["flow_in_gap_analysis"]


def job_key_of(db, tenant, flow_id) -> str:
    key = str(CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id)
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    return key


def set_job(db, key: str, **changes) -> None:
    store = job_store_for(db.get_bind())
    assert store.update_if_current(key, replace(store.get(key), **changes), list(changes))


def test_a_flow_waiting_for_a_person_is_no_incident(db, tenant, flow_in_gap_analysis):
    flow_id, _ = flow_in_gap_analysis
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "gap_analysis")
    assert in_uow(db, tenant, list_incidents) == []


def test_a_failed_flow_is_resumed_and_says_since_when_and_why(db, tenant, flow_in_gap_analysis):
    flow_id, _ = flow_in_gap_analysis
    service = CollectionChildFlowService(db, tenant)
    CollectionFlowStateService(db, tenant).mark_failed(
        service.get_by_master_flow_id(flow_id), "the scan lost its database"
    )
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy) == (Trouble.FLOW_FAILED, Remedy.RESUME)
    assert incident.detail == "the scan lost its database"
    assert utcnow() - incident.since < timedelta(minutes=1)


def test_a_stuck_flow_is_resumed(db, tenant, flow_in_gap_analysis):
    flow_id, _ = flow_in_gap_analysis
    long_ago = utcnow() - timedelta(hours=2)
    db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
        .values(updated_at=long_ago)
    )
    db.commit()
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy, incident.since) == (
        Trouble.STUCK,
        Remedy.RESUME,
        long_ago,
    )


@pytest.mark.parametrize(
    ("changes", "trouble"),
    [
        ({"status": JobStatus.FAILED, "errors": ("agent down",)}, Trouble.JOB_FAILED),
        ({"status": JobStatus.RUNNING, "heartbeat_at": time.time() - 600}, Trouble.JOB_STALLED),
    ],
)
def test_a_broken_job_is_retried(db, tenant, dispatcher, flow_in_gap_analysis, changes, trouble):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    set_job(db, job_key_of(db, tenant, flow_id), **changes)
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy) == (trouble, Remedy.RETRY_JOB)
    assert incident.percentage == 0.0


def test_a_job_whose_worker_went_offline_is_retried_at_once(
    db, tenant, dispatcher, flow_in_gap_analysis
):
    flow_id, gaps = flow_in_gap_analysis
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    key = job_key_of(db, tenant, flow_id)
    registry = worker_registry_for(db.get_bind())
    now = time.time()
    registry.beat(WorkerBeat("gone-host:1", now - 120, now - 60))  # silent for a minute
    registry.beat(WorkerBeat("live-host:2", now - 120, now))
    set_job(db, key, status=JobStatus.RUNNING, worker="live-host:2", heartbeat_at=now)
    assert in_uow(db, tenant, list_incidents) == []

    set_job(db, key, worker="gone-host:1", heartbeat_at=time.time())
    [incident] = in_uow(db, tenant, list_incidents)
    assert (incident.trouble, incident.remedy) == (Trouble.WORKER_OFFLINE, Remedy.RETRY_JOB)
    # Well within the stall limit, the retry takes the job over.
    db.rollback()
    forget_rate_limit = job_store_for(db.get_bind())
    forget_rate_limit.delete(key, job_id="keep-the-job-drop-the-rate-limit")
    assert in_uow(db, tenant, gap_jobs.retry_gap_analysis, flow_id)["status"] == "accepted"
    assert job_store_for(db.get_bind()).get(key).status is JobStatus.QUEUED
