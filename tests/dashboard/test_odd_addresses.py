"""Any address a person may type or paste: a flow id in any form opens the flow, anything else
says "Flow not found", and no page shows a traceback whatever the query says."""

import uuid

import pytest
from streamlit.testing.v1 import AppTest

from core.access.identity import SignedInUser
from dashboard import state
from dashboard.widgets.flow_picker import NOT_FOUND
from tests.dashboard.conftest import APP, no_exceptions, texts

FLOW_PAGES = ("flow", "gaps", "questionnaires")
EVERY_PAGE = (*FLOW_PAGES, "flows", "assets", "overview", "data", "admin", "people", "clients")


def forms_of(flow_id: str) -> list[str]:
    """The ways one flow id reaches an address: capitals, no dashes, both, braces, spaces."""
    bare = flow_id.replace("-", "")
    return [flow_id.upper(), bare, bare.upper(), "{" + flow_id + "}", f" {flow_id} "]


# Query strings no page makes, each paired with what it is meant to catch.
ODD_QUERIES = [
    {"flow": "not-a-flow"},
    {"flow": ""},
    {"flow": "x" * 5000},
    {"flow": "<script>alert(1)</script>"},
    {"flow": str(uuid.uuid4()), "asset": "nothing"},
    {"asset": "%00", "engagement": "nowhere", "page": "-1"},
    {"engagement": str(uuid.uuid4())},
    {"flow": "00000000-0000-0000-0000-00000000000g"},
]


def opened(ctx, page: str, **query: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state[state.CONTEXT] = ctx
    app.session_state[state.USER] = SignedInUser(ctx.user_id, "walker@example.test", "Walker")
    app.run()
    app.switch_page(f"views/{page}.py")
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


@pytest.mark.parametrize("page", FLOW_PAGES)
def test_every_form_of_a_flow_id_opens_the_flow(make_tenant, app_settings, flow_with_gaps, page):
    admin = make_tenant("admin")
    flow_id = flow_with_gaps(admin, name="Any form wave")
    for form in forms_of(flow_id):
        app = opened(admin, page, flow=form)
        no_exceptions(app)
        assert not texts(app, "error"), form
        assert "Any form wave" in app.title[0].value, form
        # The address is rewritten to the one form the pages link with.
        assert app.query_params["flow"] == flow_id


@pytest.mark.parametrize("page", EVERY_PAGE)
def test_no_page_shows_a_traceback_for_any_address(make_tenant, app_settings, flow_with_gaps, page):
    admin = make_tenant("admin")
    flow_with_gaps(admin, name="Odd address wave")
    app = opened(admin, page)
    no_exceptions(app)
    for query in ODD_QUERIES:
        app.query_params.clear()
        for name, value in query.items():
            app.query_params[name] = value
        app.run()
        no_exceptions(app)
        if page in FLOW_PAGES and query.get("flow"):
            assert texts(app, "error") == [NOT_FOUND], query
