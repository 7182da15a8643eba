"""The answer grid's reads and its one Save: every acceptable answer written at once, the rest
refused with the reason; owners as requests to owners mail them (a reachable email)."""

import pytest
from sqlalchemy import select, update

from core.flows.child_flow_service import CollectionChildFlowService
from core.kernel.context import RequestContext
from core.kernel.errors import Conflict, Forbidden, NotFound
from core.questionnaires.many_answers import save_many_answers
from core.questionnaires.open_questions import list_open_questions, list_owners
from core.questionnaires.owners import owner_of_question
from db.models import CollectionDataGap, QuestionnaireResponse
from tests.factories import flow_in_manual_collection, in_uow

HOLES = {"operating_system": None, "cpu_cores": None, "environment": "TBD"}


@pytest.fixture
def collecting(db, tenant, make_assets):
    assets = make_assets(tenant, 2, **HOLES, technical_owner="Lee Park <lee@x.org>")
    assets += make_assets(tenant, 1, **HOLES, business_owner="TBD", technical_owner=None)
    return flow_in_manual_collection(db, tenant, assets)


@pytest.mark.both_backends
def test_open_questions_carry_their_owner_and_only_worthwhile_suggestions(db, tenant, collecting):
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "environment")
        .values(predicted_value="production", confidence_score=0.05)
    )
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "operating_system")
        .values(predicted_value="Linux", confidence_score=0.6, ai_suggestions={"evidence": "why"})
    )
    db.commit()
    listed = in_uow(db, tenant, list_open_questions, collecting)
    # 3 questions an asset, and the unowned asset lacks its two owners too.
    assert listed.matching == 11 and len(listed.rows) == 11
    by_field = {}
    for row in listed.rows:
        by_field.setdefault(row.field_name, []).append(row)
    # Infrastructure is the technical owner's; environment (business) the business owner's,
    # who is named without an address: the technical owner, reachable, answers instead.
    assert {row.owner for row in by_field["cpu_cores"]} == {"lee@x.org", None}
    assert {row.owner for row in by_field["environment"]} == {"lee@x.org", None}
    assert all(row.suggestion is None for row in by_field["environment"])  # 5 %: not offered
    assert {(row.suggestion, row.evidence) for row in by_field["operating_system"]} == {
        ("Linux", "why")
    }
    owners = in_uow(db, tenant, list_owners, collecting)
    assert owners == ["lee@x.org"]
    unowned = in_uow(db, tenant, list_open_questions, collecting, without_owner=True)
    assert len(unowned.rows) == 5
    lee = in_uow(db, tenant, list_open_questions, collecting, owner="Lee@X.org")
    assert lee.matching == 6
    assert {row.field_name for row in lee.rows} == {"cpu_cores", "operating_system", "environment"}


def test_the_owner_falls_back_to_the_other_reachable_owner_unless_assigned():
    assert owner_of_question("environment", "lee@x.org", "n/a", None).email == "lee@x.org"
    assert owner_of_question("cpu_cores", "Lee <LEE@x.org>", "dana@x.org", None).email == (
        "lee@x.org"
    )
    assert owner_of_question("environment", "lee@x.org", "dana@x.org", None).email == ("dana@x.org")
    assert owner_of_question("cpu_cores", "Lee Park", "TBD", None) is None
    assert owner_of_question("cpu_cores", "Lee Park", None, "kim@x.org").email == "kim@x.org"


@pytest.mark.both_backends
def test_one_save_writes_every_valid_answer_and_lists_the_refused(db, tenant, collecting):
    rows = in_uow(db, tenant, list_open_questions, collecting).rows
    cores = [row for row in rows if row.field_name == "cpu_cores"]
    env = [row for row in rows if row.field_name == "environment"]
    answers = {
        cores[0].question_id: "8",
        cores[1].question_id: "5000",
        cores[2].question_id: "",  # blank: nothing to save, nothing refused
        env[0].question_id: "prod",
        env[1].question_id: "TBD",
        "not-a-question": "x",
    }
    saved = in_uow(db, tenant, save_many_answers, collecting, answers)
    assert saved.saved == 2
    reasons = {(item.label, item.reason) for item in saved.refused}
    assert reasons == {
        ("CPU cores", "5000 is above the maximum 1024"),
        ("Environment", "'TBD' is a placeholder, not a value"),
        ("", "no longer an open question"),
    }
    stored = {
        row.question_id: row.value["answer"] for row in db.scalars(select(QuestionnaireResponse))
    }
    assert stored == {cores[0].question_id: 8, env[0].question_id: "production"}
    again = in_uow(db, tenant, list_open_questions, collecting).rows
    assert {row.question_id: row.answer for row in again if row.answer is not None} == stored


def test_an_accepted_suggestion_is_recorded_as_one(db, tenant, collecting):
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "operating_system")
        .values(predicted_value="Linux", confidence_score=0.6, ai_suggestions={"evidence": "why"})
    )
    db.commit()
    rows = in_uow(
        db, tenant, list_open_questions, collecting, field_names=["operating_system"]
    ).rows
    answers = {row.question_id: row.suggestion for row in rows}
    accepted = [rows[0].question_id]
    assert in_uow(db, tenant, save_many_answers, collecting, answers, accepted).saved == 3
    values = {r.question_id: r.value for r in db.scalars(select(QuestionnaireResponse))}
    assert values[rows[0].question_id]["accepted_prediction"] == {
        "confidence": 0.6,
        "evidence": "why",
    }
    assert "accepted_prediction" not in values[rows[1].question_id]


def test_answers_are_taken_only_while_collecting_and_only_from_who_may(
    db, tenant, make_tenant, make_member, collecting, make_assets
):
    rows = in_uow(db, tenant, list_open_questions, collecting).rows
    manager = make_member(RequestContext(tenant.client_account_id, tenant.engagement_id), "manager")
    with pytest.raises(Forbidden):
        in_uow(db, manager, save_many_answers, collecting, {rows[0].question_id: "8"})
    with pytest.raises(NotFound):
        in_uow(db, make_tenant(), list_owners, collecting)
    flow_id = flow_in_manual_collection(db, tenant, make_assets(tenant, 1, **HOLES), name="Done")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "manual_collection", {"submit_for_validation": True}
    )
    [row, *_] = in_uow(db, tenant, list_open_questions, flow_id).rows
    with pytest.raises(Conflict):
        in_uow(db, tenant, save_many_answers, flow_id, {row.question_id: "8"})
