"""Owners and requests on the Questionnaires page, the owner's page behind a link, and the
Overview's response figures (AppTest, PostgreSQL)."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from streamlit.testing.v1 import AppTest

from config.settings import get_settings
from core.kernel.dispatch import set_dispatcher
from core.requests.link_answers import REFUSED
from core.requests.sending import send_requests
from db.session import get_engine
from jobs.tasks import run_flow_phase
from tests.core.requests.conftest import HOLES, OWNERS, InlineWorkers
from tests.dashboard.conftest import APP, job_panel, no_exceptions, texts
from tests.factories import flow_in_manual_collection, in_uow
from tests.mail import Mailbox, link_in, smtp_server

SEND = "FormSubmitter:send_requests-Send requests"


class SendRunsKept(InlineWorkers):
    """The queue: send runs kept for the test to run as the worker; mails delivered at once."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[dict[str, Any]] = []

    def enqueue_phase(self, **primitives: Any) -> None:
        self.runs.append(primitives)


@pytest.fixture
def mail(app_settings, monkeypatch) -> Iterator[Mailbox]:
    with smtp_server() as (box, port):
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(port))
        monkeypatch.setenv("PUBLIC_URL", "https://collect.example.org")
        get_settings.cache_clear()
        set_dispatcher(InlineWorkers())
        yield box


@pytest.fixture
def send_runs(mail) -> SendRunsKept:
    kept = SendRunsKept()
    set_dispatcher(kept)
    return kept


@pytest.fixture
def owned(db, tenant, make_assets) -> str:
    assets = [a for owners in OWNERS.values() for a in make_assets(tenant, 1, **HOLES, **owners)]
    return flow_in_manual_collection(db, tenant, assets, name="Wave 1 servers")


def frame_with(app: AppTest, column: str):
    """The table on the page that has this column."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def unassigned_table(app: AppTest):
    """The table of questions without a reachable owner (the answer grid lists them too)."""
    return next(
        frame.value
        for frame in app.dataframe
        if list(frame.value.columns) == ["Asset", "Question", "Priority"]
    )


def owner_page(token: str) -> AppTest:
    """The owner's page as someone signed out opens it from the link."""
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.query_params["token"] = token
    app.run()
    app.switch_page("views/owner_answers.py")
    app.query_params["token"] = token
    return app.run()


def test_send_is_queued_a_bar_follows_it_and_a_second_send_is_one_sentence(
    db, tenant, owned, open_page, mail, send_runs
):
    app = open_page(tenant, "questionnaires", owned)
    other_tab = open_page(tenant, "questionnaires", owned)
    no_exceptions(app)
    assert "Owners and requests" in [h.value for h in app.subheader]

    app.button(key=SEND).click().run()  # the page answers at once: nothing is mailed yet

    no_exceptions(app)
    [task] = send_runs.runs
    assert texts(app, "success") == ["Sending the requests on a worker; the bar below follows it."]
    panel = job_panel(app)  # the bar the browser keeps current, with its pass
    assert panel["first"]["live"] and panel["first"]["line"].startswith("Sending of requests")
    assert panel["token"]
    assert mail.messages == []
    other_tab.button(key=SEND).click().run()
    assert texts(other_tab, "warning") == [
        "Requests of this flow are already being sent; wait for it to end."
    ]
    assert len(send_runs.runs) == 1

    db.rollback()  # SQLite: the worker's sessions need the write lock
    get_engine.cache_clear()  # the worker opens its sessions on this test's settings
    try:
        assert run_flow_phase(**task) == "completed"
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    app.run()  # the run the browser asks for when the bar ends

    no_exceptions(app)
    [said] = texts(app, "success")
    assert said.startswith("Mailed 2 owner(s); 0 already had these questions;")
    panel = job_panel(app)["first"]
    assert not panel["live"] and panel["figures"] == "2 / 2 owners"
    table = frame_with(app, "Mail")
    assert sorted(table["Owner"]) == ["Lee Park <lee@x.org>", "dana@x.org"]
    assert set(table["Mail"]) == {"sent"}
    assert len(mail.messages) == 2


def test_a_manager_assigns_unowned_questions_and_sends_nothing(
    db, tenant, owned, open_page, make_member, mail
):
    manager = make_member(tenant, "manager")
    app = open_page(manager, "questionnaires", owned)
    no_exceptions(app)
    assert not [b for b in app.button if "Send requests" in str(b.label)]
    before = len(unassigned_table(app))
    app.text_input(key="assign_email").input("ops@x.org")
    app.selectbox(key="assign_field").select("operating_system")
    app.button(
        key="FormSubmitter:assign_owner-Assign every unassigned question matching the filter"
    ).click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Assigned 1 question(s) to ops@x.org."]
    assert len(unassigned_table(app)) == before - 1


def test_the_owner_page_shows_only_their_questions_and_saves_answers(db, tenant, owned, mail):
    in_uow(db, tenant, send_requests, owned)
    token = parse_qs(urlparse(link_in(mail.to("dana@x.org")[0])).query)["token"][0]
    app = owner_page(token)
    no_exceptions(app)
    assert [t.value for t in app.title] == ["Your questions"]
    assert [box.label for box in app.selectbox] == ["Environment *"]  # required
    assert not app.sidebar.button  # no sign-out, no other page
    app.selectbox[0].select("production")
    app.button[0].click().run()
    no_exceptions(app)
    assert texts(app, "success")[:2] == [
        "Saved 1 answer(s).",
        "Thank you: every question you were asked is answered.",
    ]


@pytest.mark.parametrize("token", ["", "forged.token.value"])
def test_a_bad_link_shows_one_sentence_and_no_data(db, tenant, owned, mail, token):
    app = owner_page(token)
    assert texts(app, "error") == [REFUSED]
    assert not app.title and not app.selectbox and not app.text_input


def test_the_overview_shows_the_response_rate(db, tenant, owned, open_page, make_member, mail):
    in_uow(db, tenant, send_requests, owned)
    manager = make_member(tenant, "manager")
    app = open_page(manager, "overview")
    no_exceptions(app)
    table = frame_with(app, "Response rate")
    assert list(table["Owners mailed"]) == [2]
    assert list(table["Response rate"]) == ["0%"]
