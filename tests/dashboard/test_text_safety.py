"""People's text (names, emails, flow names) shows on the pages as typed: never as markdown,
HTML or a chart's tags, so nothing in it is fetched, styled or linked."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from core.access.accounts import add_member
from core.access.identity import SignedInUser
from core.flows.orchestrator import MasterFlowOrchestrator
from dashboard import state
from db.models import ClientAccount
from tests.dashboard.conftest import APP, no_exceptions, read, rendered
from tests.factories import on_accounts

HOSTILE = "![x](http://evil/x.png) **bold** <img src=x> &lt;b&gt; :red[red] $x^2$"
TAGS = ("<img", "<strong", "<a ", "<b>")


def shows_as_typed(body: str, expected: str) -> None:
    assert not [tag for tag in TAGS if tag in rendered(body)], rendered(body)
    assert read(body) == expected


def test_the_welcome_shows_a_display_name_as_typed(db, tenant, app_settings):
    client = db.get(ClientAccount, tenant.client_account_id)
    user, _ = on_accounts(
        db,
        add_member,
        "pat@example.test",
        "analyst",
        client,
        password="correct horse 42",
        display_name=HOSTILE,
    )
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state[state.USER] = SignedInUser(user.id, user.email, user.display_name)
    app.run()
    no_exceptions(app)
    [welcome] = app.subheader
    shows_as_typed(welcome.value, f"Welcome, {HOSTILE}")


def test_the_sidebar_shows_a_name_and_an_email_as_typed(tenant, open_page):
    email = "![x](http://evil/x.png)@evil.test"
    user = SignedInUser(tenant.user_id, email, HOSTILE)
    app = open_page(tenant, "flows", **{state.USER: user})
    no_exceptions(app)
    shown = [element.value for element in app.sidebar.text]
    assert f"Signed in as {HOSTILE}" in shown
    assert email in shown  # a text element: no markdown, so no link of any kind
    assert not app.sidebar.caption


@pytest.mark.parametrize(("page", "prefix"), [("flow", ""), ("gaps", "Gaps · ")])
def test_a_flow_name_is_a_title_as_typed(db, tenant, open_page, page, prefix):
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name=HOSTILE)
    app = open_page(tenant, page, flow_id)
    no_exceptions(app)
    shows_as_typed(app.title[0].value, prefix + HOSTILE)


def test_chart_labels_show_a_flow_name_as_typed(tenant, open_page, flow_with_gaps):
    flow_with_gaps(tenant, name="<a href='https://evil'>open</a>")
    manager = tenant.__class__(tenant.client_account_id, tenant.engagement_id, role="manager")
    app = open_page(manager, "overview")
    no_exceptions(app)
    specs = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    # Long labels wrap at spaces (a line break for a space), never inside what was escaped.
    labels = json.dumps([trace for spec in specs for trace in spec["data"]]).replace("<br>", " ")
    assert "<a href" not in labels and "&lt;a href='https://evil'&gt;open&lt;/a&gt;" in labels
