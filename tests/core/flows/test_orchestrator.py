"""MasterFlowOrchestrator: create and resume, one path through child_flow_service."""

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.configs import FlowConfig
from core.flows.orchestrator import MasterFlowOrchestrator, UnsupportedFlowType
from core.flows.state import CollectionFlowStateService
from core.kernel.errors import BadRequest, Conflict
from core.questionnaires.generation import list_for_flow, store_answers
from db.models import AuditEvent, MasterFlow
from tests.factories import fingerprint


def test_create_flow_shares_the_flow_id_and_starts_in_asset_selection(db, tenant):
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(
        flow_type="collection", flow_name="DC move", configuration={"automation_tier": "tier_3"}
    )
    child = CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id)
    assert str(child.flow_id) == str(child.master_flow_id) == flow_id
    assert child.current_phase == "asset_selection" and child.status == "paused"
    assert child.automation_tier == "tier_3"
    assert [t["phase"] for t in child.master_flow.phase_transitions] == [
        "initialization",
        "asset_selection",
    ]
    assert db.query(AuditEvent).filter_by(action="flow_created").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"flow_type": "discovery", "flow_name": "x"}, "flow_type"),
        ({"flow_name": "   "}, "flow_name"),
        ({"flow_name": "x", "configuration": {"automation_tier": "tier_9"}}, "automation_tier"),
    ],
)
def test_create_flow_rejects_bad_input_naming_the_field(db, tenant, kwargs, field):
    with pytest.raises(BadRequest) as raised:
        MasterFlowOrchestrator(db, tenant).create_flow(**kwargs)
    assert raised.value.field == field
    assert db.query(MasterFlow).count() == 0


def test_a_flow_walks_every_phase_through_resume_flow_alone(db, uow_of, make_tenant, make_assets):
    admin = make_tenant(role="admin")
    assets = make_assets(admin, 2, business_owner="", environment="n/a")
    orchestrator = MasterFlowOrchestrator(db, admin)
    flow_id = orchestrator.create_flow(flow_name="Resumed all the way")

    assert orchestrator.resume_flow(flow_id)["execution_result"]["status"] == "awaiting_user_input"
    steps = [
        ({"selected_asset_ids": [str(a.id) for a in assets]}, "gap_analysis"),
        (None, "questionnaire_generation"),
        (None, "manual_collection"),
        (None, "manual_collection"),
    ]
    for resume_context, expected_phase in steps:
        orchestrator.resume_flow(flow_id, resume_context)
        child = CollectionChildFlowService(db, admin).get_by_master_flow_id(flow_id)
        assert child.current_phase == expected_phase
    with uow_of(admin) as uow:
        for questionnaire in list_for_flow(uow, child):
            store_answers(
                uow,
                child,
                questionnaire.id,
                {
                    q["id"]: q["options"][0] if q.get("options") else "Kai Chen"
                    for q in questionnaire.questions
                },
                admin.user_id,
            )
    orchestrator.resume_flow(flow_id, {"submit_for_validation": True})
    result = orchestrator.resume_flow(flow_id)
    assert result["status"] == "resumed"
    assert result["current_phase"] == "data_validation"
    child = CollectionChildFlowService(db, admin).get_by_master_flow_id(flow_id)
    assert (child.current_phase, child.status, child.progress_percentage) == (
        "assessment",
        "completed",
        100.0,
    )
    with pytest.raises(Conflict):
        orchestrator.resume_flow(flow_id)


def test_a_failed_phase_fails_the_flow_and_resume_reruns_it(
    db, make_tenant, make_assets, monkeypatch
):
    admin = make_tenant(role="admin")
    assets = make_assets(admin, 1, business_owner=None)
    orchestrator = MasterFlowOrchestrator(db, admin)
    flow_id = orchestrator.create_flow(flow_name="Flaky")
    service = CollectionChildFlowService(db, admin)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})

    def broken_scan(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("core.flows.child_flow_service.scan_flow_gaps", broken_scan)
    with pytest.raises(RuntimeError):
        service.execute_phase(flow_id, "gap_analysis")
    child = service.get_by_master_flow_id(flow_id)
    assert (child.current_phase, child.status) == ("gap_analysis", "failed")
    assert child.master_flow.error_history[-1]["error"] == "RuntimeError: disk on fire"
    assert db.query(AuditEvent).filter_by(action="phase_failed").count() == 1

    monkeypatch.undo()
    orchestrator.resume_flow(flow_id)
    child = service.get_by_master_flow_id(flow_id)
    assert (child.current_phase, child.status) == ("questionnaire_generation", "running")
    assert child.master_flow.retry_count == 1


def test_a_flow_type_without_child_flow_service_is_a_clear_error(db, make_tenant):
    admin = make_tenant(role="admin")
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Legacy")
    no_handler = {"collection": FlowConfig("collection", "Collection", child_flow_service=None)}
    with pytest.raises(UnsupportedFlowType) as raised:
        MasterFlowOrchestrator(db, admin, flow_configs=no_handler).resume_flow(flow_id)
    assert raised.value.message == "Flow type 'collection' has no execution handler"


@pytest.mark.parametrize("failed", [False, True], ids=["paused", "failed"])
def test_a_resume_whose_phase_refuses_its_input_changes_nothing(
    db, uow_of, owner_engine, make_tenant, failed
):
    admin = make_tenant(role="admin")
    orchestrator = MasterFlowOrchestrator(db, admin)
    flow_id = orchestrator.create_flow(flow_name="Refused")
    service = CollectionChildFlowService(db, admin)
    if failed:
        with uow_of(admin) as uow:
            child = CollectionChildFlowService(uow, admin).get_by_master_flow_id(flow_id)
            CollectionFlowStateService(uow, admin).mark_failed(child, "RuntimeError: earlier")
    before = fingerprint(db, owner_engine)

    with pytest.raises(BadRequest) as raised:
        orchestrator.resume_flow(flow_id, {"selected_asset_ids": ["not-a-uuid"]})

    assert raised.value.field == "selected_asset_ids[0]"
    assert fingerprint(db, owner_engine) == before
    assert db.query(AuditEvent).filter_by(action="flow_resumed").count() == 0
    child = service.get_by_master_flow_id(flow_id)
    assert child.status == ("failed" if failed else "paused")
    assert child.master_flow.retry_count == 0
