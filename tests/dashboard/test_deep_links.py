"""Addresses people copy: the sidebar keeps ?flow=, an unknown flow says so."""

import uuid

import pytest

from core.flows.orchestrator import MasterFlowOrchestrator
from dashboard.widgets.flow_picker import NOT_FOUND
from tests.dashboard.conftest import no_exceptions, texts


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
    assert set(links.values()) == {f"flow={first}"}
    # Choosing another flow moves the address and the links along with it.
    app.selectbox(key="gaps_page_picker").select(second).run()
    no_exceptions(app)
    assert app.query_params["flow"] == second
    assert set(sidebar_links(app).values()) == {f"flow={second}"}


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
