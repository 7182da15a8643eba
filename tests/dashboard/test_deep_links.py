"""Addresses people copy: the sidebar keeps ?flow=, an unknown flow says so."""

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.questionnaires.generation import list_for_flow
from core.storage.unit_of_work import engagement_uow
from dashboard import state
from dashboard.widgets.flow_picker import NOT_FOUND
from tests.dashboard.conftest import APP, no_exceptions, texts


def sidebar_links(app) -> dict[str, str]:
    """Each sidebar page link's label and query string."""
    return {link.proto.label: link.proto.query_string for link in app.sidebar.get("page_link")}


def test_the_sidebar_links_carry_the_flow_shown(db, tenant, open_page, flow_with_gaps):
    first = flow_with_gaps(tenant, name="First")
    second = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Second")
    app = open_page(tenant, "gaps", first)
    no_exceptions(app)
    links = sidebar_links(app)
    assert {"Flows", "Flow", "Gaps", "Questionnaires"} <= set(links)
    assert set(links.values()) == {f"flow={first}&engagement={tenant.engagement_id}"}
    # Choosing another flow moves the address and the links along with it.
    app.selectbox(key="gaps_page_picker").select(second).run()
    no_exceptions(app)
    assert app.query_params["flow"] == second
    assert set(sidebar_links(app).values()) == {f"flow={second}&engagement={tenant.engagement_id}"}


@pytest.mark.parametrize("page", ["flow", "gaps", "questionnaires"])
def test_an_unknown_flow_id_says_so_instead_of_showing_another(
    db, tenant, open_page, flow_with_gaps, page
):
    flow_with_gaps(tenant)
    app = open_page(tenant, page, str(uuid.uuid4()))
    no_exceptions(app)
    assert texts(app, "error") == [NOT_FOUND]
    assert not app.title  # no flow's page drawn


def test_another_engagements_flow_and_a_malformed_id_read_as_not_found(
    make_tenant, open_page, flow_with_gaps
):
    mine, theirs = make_tenant(), make_tenant()
    flow_with_gaps(mine)
    foreign = flow_with_gaps(theirs, name="Their wave")
    for address in (foreign, "not-a-flow"):
        app = open_page(mine, "flow", address)
        no_exceptions(app)
        assert texts(app, "error") == [NOT_FOUND]
        assert "Their wave" not in str(app)


def test_an_asset_in_the_address_opens_its_questionnaire_and_follows_the_choice(
    db, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=3)
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "questionnaire_generation")
    with engagement_uow(tenant, db) as uow:
        flow = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        by_title = {
            item.title: (str(item.asset_id), str(item.id)) for item in list_for_flow(uow, flow)
        }
    last = sorted(by_title)[-1]
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state[state.CONTEXT] = tenant
    app.run()
    app.switch_page("views/questionnaires.py")
    app.query_params["flow"] = flow_id
    app.query_params["asset"] = by_title[last][0]
    app.run()
    no_exceptions(app)
    assert app.selectbox(key="questionnaire_pick").value == by_title[last][1]
    first = sorted(by_title)[0]
    app.selectbox(key="questionnaire_pick").set_value(by_title[first][1]).run()
    no_exceptions(app)
    assert app.query_params["asset"] == by_title[first][0]
    assert app.selectbox(key="questionnaire_pick").value == by_title[first][1]


def test_the_validation_report_links_each_problem_to_its_questionnaire(
    db, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=1)
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "questionnaire_generation")
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")  # nothing answered: critical ones missing
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    problems = next(f.value for f in app.dataframe if "Answer it" in f.value.columns)
    with engagement_uow(tenant, db) as uow:
        flow = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        [questionnaire] = list_for_flow(uow, flow)
    assert len(problems) >= 1
    assert all(
        link.endswith(
            f"questionnaires?flow={flow_id}&asset={questionnaire.asset_id}"
            f"&engagement={tenant.engagement_id}"
        )
        for link in problems["Answer it"]
    )
