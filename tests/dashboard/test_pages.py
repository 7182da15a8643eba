"""Every page through AppTest, signed in with a context built from the test database."""

import re
from dataclasses import replace

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from core.access.accounts import add_member
from core.access.audit import list_events
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.jobs import get_gap_analysis_progress, submit_gap_analysis
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_run import PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.reads import get_flow, list_flows
from core.flows.state import CollectionFlowStateService
from core.kernel.context import RequestContext
from core.kernel.errors import Forbidden
from core.kernel.inputs import MAX_FILTER_LENGTH
from dashboard import state
from db.models import ClientAccount, Membership
from tests.dashboard.conftest import APP, HOLES, ONE_ASSET, job_panel, no_exceptions, texts
from tests.factories import in_uow, on_accounts


def select_rows(app, key_holder: str, rows: list[int]):
    """Select table rows as a click would: through the table's selection state."""
    key = app.session_state[key_holder]
    app.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return app.run()


NUL_SENTENCE = "{} holds an invisible control character (U+0000); remove it."


def metric(app, label: str) -> str:
    return next(item.value for item in app.metric if item.label == label)


# Flows ---------------------------------------------------------------------------------------


def test_flows_page_says_what_to_do_when_empty_and_creates_a_flow(uow_of, tenant, open_page):
    app = open_page(tenant, "flows")
    no_exceptions(app)
    assert any("Create a flow" in text for text in texts(app, "info"))
    app.text_input[1].input("Pilot wave")  # [0] is the search box
    app.button(key="FormSubmitter:create_flow-Create flow").click().run()
    no_exceptions(app)
    with uow_of(tenant) as uow:
        [flow] = list_flows(uow)
    assert flow.flow_name == "Pilot wave" and flow.current_phase == "asset_selection"


def test_flows_page_filters_and_shows_progress(db, tenant, open_page, flow_with_gaps):
    flow_with_gaps(tenant, name="Scanned wave")
    MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Fresh wave")
    app = open_page(tenant, "flows")
    no_exceptions(app)
    assert list(app.dataframe[0].value["Name"]) == ["Fresh wave", "Scanned wave"]
    app.multiselect(key="flows_phases").select("questionnaire_generation").run()
    assert list(app.dataframe[0].value["Name"]) == ["Scanned wave"]
    assert list(app.dataframe[0].value["Progress"]) == [40.0]


@pytest.mark.parametrize(
    ("typed", "errors"),
    [("x" * 500, []), ("Wave\x00", [NUL_SENTENCE.format("Flow name contains")])],
)
def test_a_flow_search_is_cut_or_refused_in_a_sentence(tenant, open_page, typed, errors):
    app = open_page(tenant, "flows")
    box = app.text_input(key="flows_name")
    assert box.max_chars == MAX_FILTER_LENGTH
    box.set_value(typed).run()
    no_exceptions(app)
    assert texts(app, "error") == errors


def test_a_user_whose_access_was_removed_is_signed_out_at_the_next_action(
    db, uow_of, tenant, open_page
):
    app = open_page(tenant, "flows")  # the tab stays open while an admin removes the access
    db.execute(delete(Membership).where(Membership.user_id == tenant.user_id))
    db.commit()
    app.text_input[1].input("Made after the removal")
    app.button(key="FormSubmitter:create_flow-Create flow").click().run()
    no_exceptions(app)
    assert state.CONTEXT not in app.session_state
    assert texts(app, "error") == ["Your access to this engagement was removed; sign in again."]
    assert app.button(key="FormSubmitter:sign_in-Sign in")  # the sign-in form, on the next run
    operator = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    with uow_of(operator) as uow:
        assert list_flows(uow) == []


def test_a_manager_cannot_create_flows(make_tenant, open_page):
    app = open_page(make_tenant(role="manager"), "flows")
    no_exceptions(app)
    assert not [button for button in app.button if "Create" in (button.label or "")]


# Flow page -----------------------------------------------------------------------------------


def test_selecting_assets_starts_gap_analysis(db, uow_of, tenant, open_page, make_assets):
    make_assets(tenant, 3, **HOLES)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Pick")
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    app = select_rows(app, "flow_assets_table_key", [0, 2])
    start = app.button(key="start_gap_analysis")
    assert start.label == "Start gap analysis on 2 asset(s)"
    start.click().run()
    no_exceptions(app)
    db.expire_all()
    with uow_of(tenant) as uow:
        flow = get_flow(uow, flow_id)
    assert len(flow.collection_config["selected_asset_ids"]) == 2
    assert flow.current_phase == "questionnaire_generation"  # the scan ran inline and found gaps


def test_a_long_selection_queues_a_run_the_flow_page_follows_and_a_failure_is_said(
    db, uow_of, tenant, open_page, make_assets, dispatcher, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    make_assets(tenant, 2, **HOLES)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Pick")
    app = select_rows(open_page(tenant, "flow", flow_id), "flow_assets_table_key", [0, 1])
    app.button(key="start_gap_analysis").click().run()
    no_exceptions(app)
    [queued] = dispatcher.jobs
    assert queued["phase_input"]["selected_asset_ids"] and queued["run_id"]
    panel = job_panel(app)  # the bar the browser keeps current, and its pass
    assert panel["first"]["live"] and panel["first"]["figures"] == "0 / 2 assets"
    assert panel["first"]["line"].startswith("Asset selection queued: 0%")
    assert panel["token"] and panel["every"] == 2
    assert not [button for button in app.button if button.key == "start_gap_analysis"]

    db.rollback()
    with uow_of(tenant) as uow:
        key = str(uow.flow(flow_id).id)
        store = phase_run_store_for(uow.session.get_bind().engine)
    run = store.get(key)
    failed = replace(
        run, status=PhaseRunStatus.FAILED, failure="The database could not be reached."
    )
    assert store.update_if_current(key, failed)
    app.run()
    no_exceptions(app)
    assert texts(app, "error") == ["The asset selection failed. Start it again below."]
    assert "The database could not be reached." in [element.value for element in app.text]
    assert not job_panel(app)["first"]["live"]
    assert app.button(key="start_gap_analysis")  # the flow can be started again


@pytest.mark.parametrize(
    ("typed", "errors"),
    [("x" * 500, []), ("srv\x00", [NUL_SENTENCE.format("Asset name contains")])],
)
def test_an_asset_filter_is_cut_or_refused_in_a_sentence(
    db, tenant, open_page, make_assets, typed, errors
):
    make_assets(tenant, 2)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Pick")
    app = open_page(tenant, "flow", flow_id)
    box = app.text_input(key="flow_assets_name")
    assert box.max_chars == MAX_FILTER_LENGTH
    box.set_value(typed).run()
    no_exceptions(app)
    assert texts(app, "error") == errors
    assert app.button(key="start_gap_analysis").disabled  # the page goes on, nothing selected


def test_a_manager_reads_a_flow_but_gets_no_action(
    db, make_tenant, make_member, open_page, flow_with_gaps
):
    analyst = make_tenant()
    manager = make_member(analyst, "manager")
    flow_id = flow_with_gaps(analyst)
    app = open_page(manager, "flow", flow_id)
    no_exceptions(app)
    assert not [button for button in app.button if button.key == "run_questionnaire_generation"]
    assert any("cannot" in text or "not move" in text for text in texts(app, "info"))
    with pytest.raises(Forbidden):
        CollectionChildFlowService(db, manager).execute_phase(flow_id, "questionnaire_generation")


# Gaps ----------------------------------------------------------------------------------------


def test_gaps_are_selected_submitted_and_followed(db, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=4)
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    assert metric(app, "Matching") == "12 of 12"
    app = select_rows(app, "gaps_table_key", [0, 1, 2])
    assert metric(app, "Selected") == "3"
    submit = app.button(key="gaps_submit")
    assert submit.label == "Analyze 3 selected gaps"
    submit.click().run()
    no_exceptions(app)
    assert texts(app, "success"), texts(app, "error")
    progress = get_gap_analysis_progress(db, tenant, flow_id)
    assert progress["status"] in ("queued", "running", "completed") and progress["total"] == 3
    # The panel shows the job (read from its key) on the same run.
    assert job_panel(app)["first"]["figures"].endswith("/ 3")


def test_selection_survives_filtering(tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=4)
    app = select_rows(open_page(tenant, "gaps", flow_id), "gaps_table_key", [0, 1])
    app.multiselect(key="gf_type").select("invalid").run()
    no_exceptions(app)
    assert metric(app, "Matching") == "4 of 12"
    assert metric(app, "Selected") == "2"
    assert app.button(key="gaps_submit").label == "Analyze 2 selected gaps"


def test_select_all_matching_stops_at_200(tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=70)  # 210 gaps
    app = open_page(tenant, "gaps", flow_id)
    app.button(key="gaps_select_all").click().run()
    no_exceptions(app)
    assert metric(app, "Selected") == "200"
    assert app.button(key="gaps_submit").label == "Analyze 200 selected gaps"


def test_too_many_gaps_is_a_400_sentence(tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=70)
    app = select_rows(open_page(tenant, "gaps", flow_id), "gaps_table_key", list(range(201)))
    assert metric(app, "Selected") == "201"
    app.button(key="gaps_submit").click().run()
    no_exceptions(app)
    assert any("200" in text for text in texts(app, "error")), texts(app, "error")


def test_a_second_submission_while_the_job_runs_is_a_409_sentence(
    tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=2)
    app = select_rows(open_page(tenant, "gaps", flow_id), "gaps_table_key", [0])
    app.button(key="gaps_submit").click().run()
    app = select_rows(app, "gaps_table_key", [1])
    app.button(key="gaps_submit").click().run()
    no_exceptions(app)
    shown = texts(app, "warning") + texts(app, "error")
    assert any(text.endswith(".") and "Wait" not in text for text in shown), shown


def test_a_manager_sees_no_submit_button_and_core_refuses(
    db, make_tenant, open_page, flow_with_gaps
):
    analyst = make_tenant()
    flow_id = flow_with_gaps(analyst)
    manager = analyst.__class__(analyst.client_account_id, analyst.engagement_id, role="manager")
    app = open_page(manager, "gaps", flow_id)
    no_exceptions(app)
    assert not [button for button in app.button if button.key == "gaps_submit"]
    gap = {
        "field_name": "operating_system",
        "gap_type": "missing",
        "asset_id": str(analyst.user_id),
    }
    with pytest.raises(Forbidden):
        submit_gap_analysis(db, manager, flow_id, [gap])


def test_no_gaps_says_run_gap_analysis(db, tenant, open_page):
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Empty")
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    assert any("no assets selected" in text for text in texts(app, "info"))


def test_a_long_gap_filter_is_cut_to_what_core_takes(tenant, open_page, flow_with_gaps):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    box = app.text_input(key="gf_asset")
    assert box.max_chars == MAX_FILTER_LENGTH
    box.set_value("x" * 500).run()  # as a client that ignores the limit would send it
    no_exceptions(app)
    assert not texts(app, "error")
    assert "No gap matches these filters; clear some filters." in texts(app, "info")


def test_a_gap_filter_core_refuses_is_a_sentence(tenant, open_page, flow_with_gaps):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    app.text_input(key="gf_asset").input("srv\x00").run()
    no_exceptions(app)
    assert texts(app, "error") == [NUL_SENTENCE.format("Asset name contains")]


# Questionnaires ------------------------------------------------------------------------------


def test_answers_are_saved_and_submitted_for_validation(
    db, uow_of, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=1)
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "questionnaire_generation")
    app = open_page(tenant, "questionnaires", flow_id, **ONE_ASSET)
    no_exceptions(app)
    labels = [widget.label for widget in app.selectbox] + [w.label for w in app.text_input]
    assert {"Operating system family *", "Environment *", "Business owner *"} <= set(labels)
    for label in ("Operating system family *", "Environment *"):
        box = next(w for w in app.selectbox if w.label == label)
        box.select(box.options[0])
    owner = next(w for w in app.text_input if w.label.startswith("Business owner"))
    owner.input("Dana Ortiz")
    app.button(key=next(b.key for b in app.button if b.label == "Save answers")).click().run()
    no_exceptions(app)
    assert "Saved" in texts(app, "success")[0]
    app.button(key="submit_for_validation").click().run()
    no_exceptions(app)
    db.expire_all()
    with uow_of(tenant) as uow:
        flow = get_flow(uow, flow_id)
    assert flow.phase_state["validation_report"]["resolved"] == 3
    assert flow.current_phase == "assessment"
    assert any(item.label == "Resolved" for item in app.metric)


# Overview and admin --------------------------------------------------------------------------


def test_managers_get_charts_and_analysts_no_overview(make_tenant, open_page, flow_with_gaps):
    analyst = make_tenant()
    flow_with_gaps(analyst)
    manager = analyst.__class__(analyst.client_account_id, analyst.engagement_id, role="manager")
    app = open_page(manager, "overview")
    no_exceptions(app)
    # No resolution and no job yet: those two charts say so instead of drawing nothing.
    charts = {chart.key for chart in app.get("plotly_chart")}
    assert charts == {"ov_progress", "ov_gaps", "ov_completeness", "ov_cycle"}
    with pytest.raises(ValueError):
        open_page(analyst, "overview")


def test_an_admin_resumes_a_failed_flow_after_confirming(
    db, uow_of, make_tenant, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    flow_id = flow_with_gaps(admin)
    with uow_of(admin) as uow:
        CollectionFlowStateService(uow, admin).mark_failed(
            CollectionChildFlowService(uow, admin).get_by_master_flow_id(flow_id), "worker lost"
        )
    app = open_page(admin, "admin")
    no_exceptions(app)
    assert list(app.dataframe[0].value["Trouble"]) == ["Flow failed"]
    assert list(app.dataframe[0].value["Action"]) == ["Resume"]
    app.button(key="admin_resume").click().run()
    assert app.button(key="admin_resume_confirm")
    app.button(key="admin_resume_confirm").click().run()
    no_exceptions(app)
    assert "Resumed" in texts(app, "success")[0]
    db.expire_all()
    with uow_of(admin) as uow:
        assert get_flow(uow, flow_id).current_phase == "manual_collection"
    events = [event.action for event in in_uow(db, admin, list_events)]
    assert "flow_resumed" in events


def test_managers_cannot_reach_admin_and_core_refuses_resume(db, make_tenant, open_page):
    manager = make_tenant(role="manager")
    with pytest.raises(ValueError):
        open_page(manager, "admin")
    flow_id = MasterFlowOrchestrator(
        db, manager.__class__(manager.client_account_id, manager.engagement_id, role="admin")
    ).create_flow(flow_name="x")
    with pytest.raises(Forbidden):
        MasterFlowOrchestrator(db, manager).resume_flow(flow_id)


def test_a_submission_within_10_seconds_of_the_last_is_a_429_sentence(
    engine, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=2)
    app = select_rows(open_page(tenant, "gaps", flow_id), "gaps_table_key", [0])
    app.button(key="gaps_submit").click().run()
    # The job ends (as a worker would record it); the 10-second rate limit still holds.
    store = job_store_for(engine)
    with Session(engine) as db:
        key = str(CollectionChildFlowService(db, tenant).get_by_master_flow_id(flow_id).id)
    job = store.get(key)
    assert store.update_if_current(key, replace(job, status=JobStatus.COMPLETED), ["status"])
    app = select_rows(app, "gaps_table_key", [1])
    app.button(key="gaps_submit").click().run()
    no_exceptions(app)
    shown = texts(app, "warning")
    assert any(re.fullmatch(r"Wait \d+ seconds? before submitting again\.", t) for t in shown), (
        shown
    )


# Sign-in -------------------------------------------------------------------------------------


def test_signing_in_opens_a_chosen_engagement_and_the_sidebar_says_who(
    db, tenant, app_settings, make_tenant
):
    other = make_tenant(name="Other client")
    client = db.get(ClientAccount, tenant.client_account_id)
    on_accounts(db, add_member, "pat@example.test", "analyst", client, password="correct horse 42")
    other_client = db.get(ClientAccount, other.client_account_id)
    on_accounts(db, add_member, "pat@example.test", "manager", other_client)
    app = AppTest.from_file(str(APP), default_timeout=60).run()
    no_exceptions(app)
    app.text_input[0].input("pat@example.test")
    app.text_input[1].input("wrong password")
    app.button(key="FormSubmitter:sign_in-Sign in").click().run()
    assert texts(app, "error") == ["Wrong email or password"]
    app.text_input[1].input("correct horse 42")
    app.button(key="FormSubmitter:sign_in-Sign in").click().run()
    no_exceptions(app)
    picker = app.selectbox(key="engagement_pick")
    labels = list(picker.options)  # as shown: "client / engagement (role)"
    assert len(labels) == 2 and any(label.endswith("(manager)") for label in labels)
    picker.select_index(next(i for i, label in enumerate(labels) if "(analyst)" in label)).run()
    app.button(key=next(b.key for b in app.button if b.label == "Open engagement")).click().run()
    no_exceptions(app)
    ctx = app.session_state[state.CONTEXT]
    assert (ctx.client_account_id, ctx.role) == (tenant.client_account_id, "analyst")
    sidebar = [element.value for element in app.sidebar.text]
    assert "Role: analyst" in sidebar and any("Signed in as" in text for text in sidebar)
