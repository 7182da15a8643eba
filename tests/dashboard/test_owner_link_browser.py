"""An owner's link end to end in headless Chromium: `requests send` on the command line, the
mail delivered by a huey_consumer to a real SMTP server on loopback, the link opened signed out,
answers saved; a tampered and a revoked link refused; the link reaches no other page; the
manager's view of the owners."""

import re
import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from core.requests.link_answers import REFUSED
from tests.dashboard.live import (
    BIN,
    SHOTS,
    LiveStack,
    add_user,
    choose,
    open_tab,
    scratch_stack,
    sign_in,
    start_logged,
    wait_idle,
)
from tests.mail import Mailbox, link_in, smtp_server
from tests.processes import stop_group

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
CLIENT, ENGAGEMENT = "Owners Co", "Wave 1"
MANAGER = "owners-manager@demo.local"
LEE, DANA = "lee@owners.example", "dana@owners.example"
INVENTORY = (
    "name,asset_type,operating_system,environment,technical_owner,business_owner\n"
    f"web-01,server,,production,Lee Park <{LEE}>,{DANA}\n"
    f"db-01,server,Linux,,{LEE},Dana Ortiz <{DANA}>\n"
    "batch-07,server,,,unknown,Ops team\n"
)
MAKE_FLOW = """
import sys
from sqlalchemy import select
from core.access.accounts import find_client, find_engagement
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.storage.account_unit_of_work import account_uow
from db.models import Asset
from db.session import bind_tenant, open_session
with account_uow() as uow:
    client = find_client(uow, sys.argv[1])
    engagement = find_engagement(uow, client, sys.argv[2])
ctx = RequestContext(client.id, engagement.id, role="admin")
with open_session() as db:
    bind_tenant(db, client.id, engagement.id)
    ids = [str(i) for i in db.scalars(select(Asset.id).where(Asset.engagement_id == engagement.id))]
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Owners wave")
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": ids})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
print(flow_id)
"""


@pytest.fixture(scope="module")
def stack(shared_stack, tmp_path_factory) -> LiveStack:
    """The shared live stack, with a client of this module's: three servers, two owners."""
    shared_stack.command("clients", "add", CLIENT)
    shared_stack.command("engagements", "add", ENGAGEMENT, "--client", CLIENT)
    add_user(shared_stack, MANAGER, "manager", CLIENT, PASSWORD)
    inventory = tmp_path_factory.mktemp("owners") / "inventory.csv"
    inventory.write_text(INVENTORY)
    shared_stack.command(
        "import-assets", str(inventory), "--client", CLIENT, "--engagement", ENGAGEMENT
    )
    return shared_stack


@pytest.fixture(scope="module")
def mail_worker(stack) -> Iterator[tuple[LiveStack, Mailbox]]:
    """A huey_consumer that mails through a real SMTP server on loopback, on the shared stack's
    database with a queue of its own (the shared worker knows no relay)."""
    with smtp_server() as (mailbox, port):
        extra = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "PUBLIC_URL": stack.url}
        with scratch_stack("mail", database_of=stack, extra_env=extra) as (mailer, tag, logs):
            consumer = [str(BIN / "huey_consumer"), "jobs.huey_app.huey", "-w", "1", "-k", "thread"]
            worker = start_logged(consumer, logs / f"mail-worker-{tag}.log", mailer.env)
            try:
                yield mailer, mailbox
            finally:
                stop_group(worker)


def expect_refused(page) -> None:
    """The one sentence of a link that opens nothing (a word joiner keeps "more:" text)."""
    said = re.compile(re.escape(REFUSED).replace(":", ":\u2060?"))
    expect(page.get_by_role("alert")).to_have_text(said)


def token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["token"][0]


def test_an_owner_answers_by_the_link_in_their_mail(stack, mail_worker, browser):
    mailer, mailbox = mail_worker
    flow_id = stack.script(MAKE_FLOW, CLIENT, ENGAGEMENT).split()[-1]
    tenant = ["--client", CLIENT, "--engagement", ENGAGEMENT]
    # A process of its own: it queues on the mail worker's queue, as an operator's would.
    sent = mailer.python("-m", "db", "requests", "send", flow_id, *tenant, "--due", "2031-03-31")
    assert sent.splitlines()[0] == "owners mailed: 2"
    assert int(sent.splitlines()[2].rsplit(" ", 1)[1]) >= 2  # batch-07's questions: nobody's
    mailbox.wait_for(2)
    lee_link = link_in(mailbox.to(LEE)[0])
    dana_link = link_in(mailbox.to(DANA)[0])
    assert lee_link.startswith(f"{stack.url}/answer?token=")

    owner = open_tab(browser)  # a fresh browser: nobody signed in
    owner.goto(lee_link)
    expect(owner.get_by_role("heading", name="Your questions")).to_be_visible()
    expect(owner.get_by_text("Please answer by 2031-03-31.")).to_be_visible()
    operating_system = owner.get_by_role("combobox", name=re.compile(r"^Operating system"))
    expect(operating_system).to_have_count(1)  # web-01's; db-01 has one, batch-07 is not Lee's
    expect(owner.get_by_role("combobox", name=re.compile(r"^Environment"))).to_have_count(0)
    expect(owner.get_by_role("button", name="Sign out")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    owner.screenshot(path=str(SHOTS / "owner-page.png"), full_page=True)
    choose(owner, "Operating system family *", "Linux")  # required: a critical attribute
    owner.get_by_role("button", name="Save").click()
    expect(owner.get_by_text("Saved 1 answer(s).")).to_be_visible()
    expect(owner.get_by_role("combobox", name=re.compile(r"^Operating system"))).to_have_count(0)

    # Dana's link opens Dana's questions, which Lee's page never showed.
    dana = open_tab(browser)
    dana.goto(dana_link)
    expect(dana.get_by_role("combobox", name=re.compile(r"^Environment"))).to_have_count(1)
    expect(dana.get_by_role("combobox", name=re.compile(r"^Operating system"))).to_have_count(0)

    # A tampered link, and the link on any other page: nothing of the flow.
    token = token_of(lee_link)
    tampered = token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:]
    owner.goto(f"{stack.url}/answer?token={tampered}")
    expect_refused(owner)
    expect(owner.get_by_role("heading", name="Your questions")).to_have_count(0)
    owner.goto(f"{stack.url}/questionnaires?token={token}&flow={flow_id}")
    expect(owner.get_by_role("button", name="Sign in")).to_be_visible()
    expect(owner.get_by_text("Owners wave")).to_have_count(0)

    # Sending again with --resend revokes the old links.
    resent = mailer.python("-m", "db", "requests", "send", flow_id, *tenant, "--resend")
    assert resent.splitlines()[0] == "owners mailed: 2"
    mailbox.wait_for(4)
    owner.goto(lee_link)
    expect_refused(owner)
    owner.goto(link_in(mailbox.to(LEE)[-1]))
    expect(owner.get_by_role("heading", name="Your questions")).to_be_visible()

    # The manager's view: each owner with questions, answered, mailed, link opened.
    manager = open_tab(browser)
    sign_in(manager, stack, MANAGER, PASSWORD, path=f"questionnaires?flow={flow_id}")
    expect(manager.get_by_role("heading", name="Owners and requests")).to_be_visible()
    expect(manager.get_by_text("Questions without a reachable owner:")).to_be_visible()
    expect(manager.get_by_role("button", name="Send requests")).to_have_count(0)
    wait_idle(manager)
    manager.get_by_role("heading", name="Owners and requests").scroll_into_view_if_needed()
    manager.screenshot(path=str(SHOTS / "owner-requests.png"), full_page=True)
