"""The audit trail as people read it: users and flows by name, details in words."""

import uuid

from core.access import audit
from core.access.audit_trail import SYSTEM, describe, list_trail
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.reads import list_questionnaires
from db.models import User
from tests.factories import in_uow


def test_details_read_as_words_not_as_a_python_dict():
    assert describe({"flow_name": "First", "automation_tier": "tier_2"}) == (
        "Automation tier: Tier 2; Flow name: First"
    )
    assert describe({"from_phase": "gap_analysis", "to_phase": "manual_collection"}) == (
        "From phase: Gap analysis; To phase: Manual collection"
    )
    # People's text stays as typed, underscores and all.
    assert describe({"flow_name": "wave_1", "ids": ["a", "b"]}) == "Flow name: wave_1; Ids: a, b"
    assert describe({"answers": {"cpu_cores": 4}}) == "Answers: cpu cores 4"
    # A job has no name a person knows; an id names its thing or says it is gone.
    assert describe({"job_id": "5edd", "user_id": str(uuid.uuid4())}) == (
        "Person: a removed account"
    )
    assert describe({}) == ""


def test_events_name_their_user_and_flow(db, make_tenant, make_member, make_assets):
    admin = make_tenant(role="admin")
    analyst = make_member(admin, "analyst")
    db.get(User, analyst.user_id).display_name = "Dana Ortiz"
    db.commit()
    assets = make_assets(admin, 1)
    flow_id = MasterFlowOrchestrator(db, analyst).create_flow(flow_name="Wave <b>1</b>")
    CollectionChildFlowService(db, analyst).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]}
    )

    trail = in_uow(db, admin, list_trail, flow_id=flow_id)

    created = next(entry for entry in trail if entry.action == "flow_created")
    assert (created.user_name, created.flow_id, created.flow_name) == (
        "Dana Ortiz",
        flow_id,
        "Wave <b>1</b>",
    )
    assert created.details == "Automation tier: Tier 2; Flow name: Wave <b>1</b>"
    moves = [entry.details for entry in trail if entry.action == "phase_transition"]
    assert "From phase: Asset selection; To phase: Gap analysis" in moves


def test_a_user_without_a_display_name_is_their_email_and_no_user_is_the_system(db, make_tenant):
    admin = make_tenant(role="admin")
    MasterFlowOrchestrator(db, admin).create_flow(flow_name="Mine")
    with_no_user = type(admin)(admin.client_account_id, admin.engagement_id, role="admin")
    in_uow(db, with_no_user, lambda uow: audit.record(uow, "worker_note", flow_id=None))

    trail = in_uow(db, admin, list_trail)

    by_action = {entry.action: entry for entry in trail}
    assert by_action["flow_created"].user_name == db.get(User, admin.user_id).email
    assert by_action["worker_note"].user_name == SYSTEM
    assert by_action["worker_note"].flow_name == "" and by_action["worker_note"].flow_id == ""


def test_another_tenants_flow_is_never_named(db, make_tenant):
    admin = make_tenant(role="admin")
    other = make_tenant(role="admin")
    foreign = MasterFlowOrchestrator(db, other).create_flow(flow_name="Secret wave")
    # An event of this tenant that points at the other tenant's flow (it cannot in practice).
    in_uow(db, admin, lambda uow: audit.record(uow, "odd_event", flow_id=uuid.UUID(foreign)))

    [entry] = in_uow(db, admin, list_trail, action="odd_event")

    assert entry.flow_id == foreign and entry.flow_name == ""


def test_details_name_people_questionnaires_and_questions_never_their_ids(
    db, make_tenant, make_member, make_assets
):
    admin = make_tenant(role="admin")
    analyst = make_member(admin, "analyst")
    db.get(User, analyst.user_id).display_name = "Dana Ortiz"
    db.commit()
    assets = make_assets(admin, 1, operating_system=None, environment=None)
    flow_id = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Named wave")
    service = CollectionChildFlowService(db, admin)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    [questionnaire] = in_uow(db, admin, list_questionnaires, flow_id)
    question = questionnaire.questions[0]
    details = {
        "user_id": str(analyst.user_id),
        "questionnaire_id": str(questionnaire.id),
        "question_id": question["id"],
    }
    in_uow(db, admin, lambda uow: audit.record(uow, "prediction_accepted", **details))

    [entry] = in_uow(db, admin, list_trail, action="prediction_accepted")

    assert entry.details == (
        f"Question: {question['label']}; Questionnaire: {questionnaire.title}; Person: Dana Ortiz"
    )
    assert str(questionnaire.id) not in entry.details
