"""Predictions in questionnaires and the Gaps table: offered with their reasons, not assumed."""

from sqlalchemy import select, update

from core.flows.child_flow_service import CollectionChildFlowService
from core.inventory.provenance import sources_of
from db.models import CollectionDataGap, QuestionnaireResponse
from tests.dashboard.conftest import ONE_ASSET, no_exceptions, read, texts
from tests.factories import flow_in_manual_collection, in_uow

WHY = "6 of 6 servers in cluster PROD-A have business owner Noor Haddad"


def predict(db, field_name: str, value: str, confidence: float, evidence: str = WHY) -> None:
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == field_name)
        .values(
            predicted_value=value,
            confidence_score=confidence,
            ai_suggestions={"method": "conditional", "evidence": evidence},
        )
    )
    db.commit()


def collecting(db, tenant, flow_with_gaps) -> str:
    flow_id = flow_with_gaps(tenant, count=1)
    predict(db, "business_owner", "Noor Haddad", 0.3)
    predict(
        db, "environment", "production", 0.92, "hostname token 'prd' → production, 9 of 9 servers"
    )
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "questionnaire_generation")
    return flow_id


def test_the_gaps_table_says_why_a_value_is_predicted(db, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=1)
    predict(db, "business_owner", "Noor Haddad", 0.3)
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    table = app.dataframe[0].value
    why = dict(zip(table["Field"], table["Why predicted"], strict=True))
    assert why["Business owner"] == WHY


def test_a_weak_prediction_is_a_suggestion_and_a_strong_one_is_prefilled(
    db, tenant, open_page, flow_with_gaps
):
    app = open_page(tenant, "questionnaires", collecting(db, tenant, flow_with_gaps), **ONE_ASSET)
    no_exceptions(app)
    owner = next(w for w in app.text_input if w.label.startswith("Business owner"))
    assert owner.value == ""  # 30 %: not put in the person's mouth
    assert f"Suggested: Noor Haddad (30%) · {WHY}" in texts(app, "caption")
    assert "Why: " + WHY in read(owner.help)
    environment = next(w for w in app.selectbox if w.label.startswith("Environment"))
    assert environment.value == "production"  # 92 % is above the 80 % the admin set


def test_accepting_a_suggestion_records_who_accepted_the_prediction(
    db, tenant, open_page, flow_with_gaps
):
    flow_id = collecting(db, tenant, flow_with_gaps)
    app = open_page(tenant, "questionnaires", flow_id, **ONE_ASSET)
    accept = next(b for b in app.button if b.label == "Accept Noor Haddad")
    accept.click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Accepted the suggestion Noor Haddad."]
    response = db.scalars(select(QuestionnaireResponse)).one()
    assert response.value["accepted_prediction"]["evidence"] == WHY
    assert response.answered_by == tenant.user_id

    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    gap = db.scalars(
        select(CollectionDataGap).where(CollectionDataGap.field_name == "business_owner")
    ).one()
    [source] = in_uow(db, tenant, lambda uow: sources_of(uow).for_assets([gap.asset_id])).values()
    assert source.kind == "accepted_prediction" and source.recorded_by == tenant.user_id
    assert source.confidence == 0.3 and WHY in source.detail


def test_the_answered_count_follows_a_save(db, tenant, open_page, flow_with_gaps):
    app = open_page(tenant, "questionnaires", collecting(db, tenant, flow_with_gaps), **ONE_ASSET)
    assert (
        app.selectbox(key="questionnaire_pick")
        .format_func(app.selectbox(key="questionnaire_pick").value)
        .endswith("0/3 answered")
    )
    owner = next(w for w in app.text_input if w.label.startswith("Business owner"))
    owner.input("Dana Ortiz")
    app.button(key=next(b.key for b in app.button if b.label == "Save answers")).click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Saved 2 answer(s)."]  # the prefilled environment too
    picker = app.selectbox(key="questionnaire_pick")
    assert picker.format_func(picker.value).endswith("2/3 answered")


def test_a_number_out_of_range_says_why_and_a_date_has_a_picker(db, tenant, make_assets, open_page):
    asset = make_assets(tenant, 1, cpu_cores=None, custom_attributes={"network_zone": "internal",
        "virtualization_platform": "vmware", "known_vulnerabilities": 0})[0]  # fmt: skip
    flow_id = flow_in_manual_collection(db, tenant, [asset])
    app = open_page(tenant, "questionnaires", flow_id, **ONE_ASSET)
    no_exceptions(app)
    [support] = [w for w in app.date_input if w.label.startswith("End of support date")]
    cores = next(w for w in app.number_input if w.label.startswith("CPU cores"))
    cores.set_value(5000)
    app.button(key=next(b.key for b in app.button if b.label == "Save answers")).click().run()
    no_exceptions(app)
    assert texts(app, "error") == ["Not saved: CPU cores: 5000 is above the maximum 1024"]
    assert support.value is None
