"""Resume of a flow standing in a long phase over more assets than a page waits on: queued as a
phase run for a worker, as starting the phase would be (a 409 while one is live, the audit
trail naming who resumed it); a small flow still resumes inline."""

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator, resume_flow
from core.flows.phase_run import PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.phase_run_worker import run_phase_run
from core.flows.state import CollectionFlowStateService
from core.kernel.dispatch import set_dispatcher
from core.kernel.errors import Conflict, ServiceUnavailable
from core.kernel.phases import FlowStatus
from tests.factories import audit_events, flow_key_of, in_uow

pytestmark = pytest.mark.both_backends


@pytest.fixture
def failed_scan(db, admin, make_assets) -> str:
    """A flow of three assets whose gap scan failed, run in the page before it grew."""
    assets = make_assets(admin, 3, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Big wave")
    service = CollectionChildFlowService(db, admin)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    CollectionFlowStateService(db, admin).mark_failed(
        service.get_by_master_flow_id(flow_id), "OperationalError: the server went away"
    )
    db.commit()
    return flow_id


def test_resuming_a_big_failed_scan_queues_it_for_a_worker_and_the_worker_ends_it(
    db, admin, session_maker, dispatcher, long_phases, failed_scan
):
    answer = in_uow(db, admin, resume_flow, failed_scan)
    assert (answer["mode"], answer["status"], answer["current_phase"], answer["assets"]) == (
        "queued",
        "queued",
        "gap_analysis",
        3,
    )
    [queued] = dispatcher.jobs
    assert (queued["phase_name"], queued["run_id"]) == ("gap_analysis", answer["run_id"])
    flow = in_uow(db, admin, lambda uow: uow.flow(failed_scan))
    # Nothing ran in the page: no gap yet, the flow running again in its phase.
    assert in_uow(db, admin, lambda uow: uow.gaps.for_flow(flow.id)) == []
    assert (flow.status, flow.current_phase, flow.master_flow.retry_count) == (
        FlowStatus.RUNNING,
        "gap_analysis",
        1,
    )
    key, store = flow_key_of(db, admin, failed_scan), phase_run_store_for(db.get_bind())
    run = store.get(key)
    assert (run.run_id, run.status, run.submitted_by) == (
        answer["run_id"],
        PhaseRunStatus.QUEUED,
        str(admin.user_id),
    )
    [resumed] = audit_events(db, admin, "flow_resumed")
    assert resumed.user_id == admin.user_id
    assert resumed.details == {"phase": "gap_analysis", "run_id": answer["run_id"]}
    assert [event.user_id for event in audit_events(db, admin, "phase_run_queued")] == [
        admin.user_id
    ]

    # Queued and reporting: a second resume is refused and queues nothing.
    with pytest.raises(Conflict, match="A gap scan of this flow is already queued"):
        in_uow(db, admin, resume_flow, failed_scan)
    assert len(dispatcher.jobs) == 1 and len(audit_events(db, admin, "flow_resumed")) == 1

    ended = run_phase_run(  # what the worker does with the queued message
        session_maker,
        store,
        client_account_id=queued["client_account_id"],
        engagement_id=queued["engagement_id"],
        collection_flow_id=queued["collection_flow_id"],
        flow_id=queued["flow_id"],
        run_id=queued["run_id"],
        phase_input=queued["phase_input"],
        stall_seconds=600,
    )
    assert (ended.status, ended.done, ended.total) == (PhaseRunStatus.COMPLETED, 3, 3)
    db.expire_all()  # the worker wrote through a session of its own
    flow = in_uow(db, admin, lambda uow: uow.flow(failed_scan))
    assert flow.current_phase == "questionnaire_generation"
    assert len(in_uow(db, admin, lambda uow: uow.gaps.for_flow(flow.id))) == 3


def test_a_resume_that_cannot_be_queued_leaves_the_flow_failed_and_its_key_free(
    db, admin, dispatcher, long_phases, failed_scan
):
    class Unreachable:
        def enqueue_phase(self, **primitives):
            raise ConnectionError("queue down")

    set_dispatcher(Unreachable())
    try:
        with pytest.raises(ServiceUnavailable, match="the gap scan was not started"):
            in_uow(db, admin, resume_flow, failed_scan)
    finally:
        set_dispatcher(dispatcher)
    db.expire_all()
    flow = in_uow(db, admin, lambda uow: uow.flow(failed_scan))
    # Failed still, saying why, rather than running with nothing to move it on.
    assert flow.status == FlowStatus.FAILED
    assert "the gap scan was not started" in flow.master_flow.error_history[-1]["error"]
    assert phase_run_store_for(db.get_bind()).get(flow_key_of(db, admin, failed_scan)) is None

    assert in_uow(db, admin, resume_flow, failed_scan)["mode"] == "queued"  # once it is back


def test_a_flow_within_the_inline_limit_still_resumes_in_the_page(
    db, admin, dispatcher, failed_scan
):
    answer = MasterFlowOrchestrator(db, admin).resume_flow(failed_scan)
    assert (answer["mode"], answer["status"]) == ("inline", "resumed")
    assert answer["execution_result"]["gaps_persisted"] == 3
    assert dispatcher.jobs == []
    flow = in_uow(db, admin, lambda uow: uow.flow(failed_scan))
    assert flow.current_phase == "questionnaire_generation"
