"""A flow walks every phase through execute_phase; state agrees at every step."""

import uuid

import pytest
from sqlalchemy import func, select

from config.settings import get_settings
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.errors import BadRequest, Conflict
from core.kernel.phases import PHASE_PROGRESS, CollectionPhase, status_for
from core.questionnaires.generation import list_for_flow, store_answers
from core.storage.unit_of_work import engagement_uow
from db.models import Asset, AuditEvent, CollectionDataGap, CollectionFlow

pytestmark = pytest.mark.both_backends

P = CollectionPhase


def assert_consistent(db, flow_id: str, phase: CollectionPhase) -> CollectionFlow:
    db.expire_all()
    child = db.scalars(
        select(CollectionFlow).where(CollectionFlow.flow_id == uuid.UUID(flow_id))
    ).one()
    master = child.master_flow
    assert child.current_phase == phase
    assert master.get_current_phase() == phase
    assert master.phase_transitions[-1]["phase"] == phase
    assert child.status == status_for(phase) == master.flow_status
    assert child.progress_percentage == PHASE_PROGRESS[phase]
    return child


def answer_everything(db, tenant, flow_id, value_for):
    with engagement_uow(tenant, db) as uow:
        child = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        for questionnaire in list_for_flow(uow, child):
            answers = {q["id"]: value_for(q) for q in questionnaire.questions}
            store_answers(uow, child, questionnaire.id, answers, tenant.user_id)


def good_answer(question):
    if question["type"] == "select":
        return question["options"][0]
    if question["type"] == "number":
        return int(question["minimum"]) + 1
    return "2030-01-01" if question["field_name"] == "end_of_support_date" else "Alex Kim"


@pytest.fixture
def flow_with_gappy_servers(db, tenant, make_assets):
    assets = make_assets(tenant, 3, business_owner=None, cpu_cores=0, environment="TBD")
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(
        flow_name="Wave 1 servers", configuration={"automation_tier": "tier_2"}
    )
    return flow_id, assets


def test_a_flow_walks_every_phase_through_execute_phase(db, tenant, flow_with_gappy_servers):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    assert_consistent(db, flow_id, P.ASSET_SELECTION)

    waiting = service.execute_phase(flow_id, "asset_selection")
    assert waiting["status"] == "awaiting_user_input"
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    assert_consistent(db, flow_id, P.GAP_ANALYSIS)

    scan = service.execute_phase(flow_id, "gap_analysis")
    assert scan["gaps_persisted"] == 9  # owner missing, cores and environment invalid
    assert scan["gaps_by_type"] == {"missing": 3, "invalid": 6}
    assert_consistent(db, flow_id, P.QUESTIONNAIRE_GENERATION)

    generated = service.execute_phase(flow_id, "questionnaire_generation")
    assert generated["questionnaires_generated"] == 3
    assert generated["questions"] == 9
    assert_consistent(db, flow_id, P.MANUAL_COLLECTION)

    assert service.execute_phase(flow_id, "manual_collection")["status"] == (
        "awaiting_user_responses"
    )
    answer_everything(db, tenant, flow_id, good_answer)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    assert_consistent(db, flow_id, P.DATA_VALIDATION)

    report = service.execute_phase(flow_id, "data_validation")
    assert report["resolved"] == 9 and report["problems"] == []
    child = assert_consistent(db, flow_id, P.ASSESSMENT)
    assert child.status == "completed"

    assert service.execute_phase(flow_id, "assessment")["pending_gaps"] == 0
    phases = [entry["phase"] for entry in child.master_flow.phase_transitions]
    assert phases == [phase.value for phase in P]


def test_a_resolved_gap_value_is_written_back_to_the_asset(db, tenant, flow_with_gappy_servers):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    answer_everything(
        db,
        tenant,
        flow_id,
        lambda q: {"business_owner": "Maria Silva", "cpu_cores": "16"}.get(
            q["field_name"], "production"
        ),
    )
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    db.expire_all()
    asset = db.get(Asset, assets[0].id)
    assert (asset.business_owner, asset.cpu_cores, asset.environment) == (
        "Maria Silva",
        16,
        "production",
    )
    resolved = db.scalars(select(CollectionDataGap.resolved_value)).all()
    assert sorted(resolved) == ["16", "Maria Silva", "production"]


def test_assets_that_lack_nothing_go_straight_to_assessment(db, tenant, make_assets):
    assets = make_assets(tenant, 2)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Complete")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    result = service.execute_phase(flow_id, "gap_analysis")
    assert result["gaps_persisted"] == 0
    assert_consistent(db, flow_id, P.ASSESSMENT)


def test_gap_analysis_run_twice_creates_no_duplicate_rows(db, tenant, flow_with_gappy_servers):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    child = service.get_by_master_flow_id(flow_id)
    # Put the flow back in gap_analysis by hand, as a resumed stalled scan would find it.
    child.current_phase = "gap_analysis"
    db.commit()
    service.execute_phase(flow_id, "gap_analysis")
    assert db.scalar(select(func.count()).select_from(CollectionDataGap)) == 9


def test_validation_reports_each_bad_answer_and_sends_the_flow_back(
    db, tenant, flow_with_gappy_servers
):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    bad = {"business_owner": "TBD", "cpu_cores": "many", "environment": "moon-base"}
    answer_everything(db, tenant, flow_id, lambda q: bad[q["field_name"]])
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})

    report = service.execute_phase(flow_id, "data_validation")

    messages = sorted(problem["message"] for problem in report["problems"])
    assert messages == [
        "Business owner: 'TBD' is a placeholder, not a value",
        "CPU cores: 'many' is not a number",
        "Environment: 'moon-base' is not one of production, staging, test, development, dr",
    ]
    # The report names the asset people know, not its id.
    assert {problem["asset_name"] for problem in report["problems"]} == {assets[0].name}
    child = assert_consistent(db, flow_id, P.MANUAL_COLLECTION)
    assert child.phase_state["validation_report"]["open_critical_gaps"] == 3


def test_out_of_range_numbers_are_rejected(db, tenant, flow_with_gappy_servers):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    answer_everything(
        db, tenant, flow_id, lambda q: 5000 if q["type"] == "number" else good_answer(q)
    )
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    report = service.execute_phase(flow_id, "data_validation")
    assert [p["message"] for p in report["problems"]] == [
        "CPU cores: 5000 is above the maximum 1024"
    ]


def test_asking_for_another_phase_is_a_409_that_changes_nothing(
    db, tenant, flow_with_gappy_servers
):
    flow_id, _ = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    events_before = db.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(Conflict) as raised:
        service.execute_phase(flow_id, "data_validation")
    assert raised.value.status == 409
    assert_consistent(db, flow_id, P.ASSET_SELECTION)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_selecting_assets_of_another_tenant_is_a_400(db, make_tenant, make_assets):
    mine, theirs = make_tenant(), make_tenant()
    foreign = make_assets(theirs, 1)
    flow_id = MasterFlowOrchestrator(db, mine).create_flow(flow_name="Mine")
    with pytest.raises(BadRequest) as raised:
        CollectionChildFlowService(db, mine).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": [str(foreign[0].id)]}
        )
    assert raised.value.field == "selected_asset_ids"
    assert_consistent(db, flow_id, P.ASSET_SELECTION)


def test_a_malformed_asset_id_is_a_400_naming_it(db, tenant):
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Typo")
    with pytest.raises(BadRequest) as raised:
        CollectionChildFlowService(db, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": ["123"]}
        )
    assert raised.value.field == "selected_asset_ids[0]"
    assert "'123'" in raised.value.message


def test_an_answer_refused_names_its_question_and_asset(db, tenant, flow_with_gappy_servers):
    flow_id, assets = flow_with_gappy_servers
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    with engagement_uow(tenant, db) as uow:
        child = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        [questionnaire] = list_for_flow(uow, child)
        owner = next(q for q in questionnaire.questions if q["field_name"] == "business_owner")
        with pytest.raises(BadRequest) as refused:
            store_answers(uow, child, questionnaire.id, {owner["id"]: "x" * 2001}, None)
    assert refused.value.message == (
        f"the answer to Business owner of {assets[0].name} is too long: 2001 characters,"
        " at most 2000"
    )
    assert owner["id"] not in refused.value.message


def test_a_selection_over_the_cap_of_assets_per_flow_is_a_400_that_writes_nothing(
    db, tenant, make_assets, monkeypatch
):
    monkeypatch.setenv("MAX_ASSETS_PER_FLOW", "2")
    get_settings.cache_clear()
    try:
        assets = make_assets(tenant, 3)
        flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Too many")
        service = CollectionChildFlowService(db, tenant)
        with pytest.raises(BadRequest, match="at most 2") as raised:
            service.execute_phase(
                flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
            )
        assert raised.value.status == 400 and raised.value.field == "selected_asset_ids"
        assert_consistent(db, flow_id, P.ASSET_SELECTION)
        service.execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets[:2]]}
        )
        assert_consistent(db, flow_id, P.GAP_ANALYSIS)
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_a_selection_is_checked_as_a_whole_and_kept_as_canonical_ids(db, tenant, make_assets):
    assets = make_assets(tenant, 3)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Whole")
    service = CollectionChildFlowService(db, tenant)
    given = [str(assets[0].id).upper(), str(assets[1].id), str(assets[0].id), str(assets[2].id)]
    stranger = str(uuid.uuid4())
    with pytest.raises(BadRequest) as raised:
        service.execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": given + [stranger]}
        )
    assert raised.value.field == "selected_asset_ids"
    assert f"holds 1 id(s) that are not assets of this engagement, e.g. {stranger}" in (
        raised.value.message
    )
    assert_consistent(db, flow_id, P.ASSET_SELECTION)
    assert (
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": given})["selected"]
        == 3
    )
    child = assert_consistent(db, flow_id, P.GAP_ANALYSIS)
    assert child.collection_config["selected_asset_ids"] == [
        str(assets[0].id), str(assets[1].id), str(assets[2].id)
    ]  # fmt: skip


def test_questionnaires_are_written_in_batches_one_per_asset_with_its_pending_gaps(
    db, tenant, make_assets, monkeypatch
):
    from core.questionnaires import generation

    monkeypatch.setattr(generation, "QUESTIONNAIRE_BATCH", 2)
    assets = make_assets(tenant, 5, business_owner=None, cpu_cores=0, environment="TBD")
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Batched")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    generated = service.execute_phase(flow_id, "questionnaire_generation")
    assert (generated["questionnaires_generated"], generated["questions"]) == (5, 15)
    reported = []
    with engagement_uow(tenant, db) as uow:
        child = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        generation.generate_questionnaires(uow, child, lambda done, of: reported.append((done, of)))
    assert reported == [(2, 5), (4, 5)]  # after each full batch, against the assets to ask
    with engagement_uow(tenant, db) as uow:
        child = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        questionnaires = list_for_flow(uow, child)
        gaps = uow.gaps.for_flow(child.id, statuses=["pending"])
    names = {asset.id: asset.name for asset in assets}
    assert sorted(q.title for q in questionnaires) == sorted(names.values())
    for questionnaire in questionnaires:
        assert questionnaire.title == names[questionnaire.asset_id]
        asked = {question["id"] for question in questionnaire.questions}
        assert asked == {str(g.id) for g in gaps if g.asset_id == questionnaire.asset_id}
        assert [q["priority"] for q in questionnaire.questions] == sorted(
            q["priority"] for q in questionnaire.questions
        )
