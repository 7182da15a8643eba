"""Admin in Chromium on the shared live stack: the incident list and its one action, live
through the admin's own retry; workers online and offline (a real consumer killed); the
stepper keeping a failed try; an analyst at /admin reads a sentence."""

import re
import signal
import uuid

import pytest
from playwright.sync_api import expect

from tests.dashboard.live import (
    BIN,
    SHOTS,
    add_user,
    choose,
    open_tab,
    sign_in,
    start_logged,
    wait_idle,
)
from tests.processes import stop_group

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
# An engagement no other browser module changes.
CLIENT, ENGAGEMENT = "Contoso Retail", "Stores Platform Move"
ADMIN, ANALYST = "incidents-admin@demo.local", "incidents-analyst@demo.local"
SCANNED_FLOW = "Wave 2 - questionnaires to build"  # the demo's flow with gaps found
FAILED_FLOW = "Wave 7 - scan failed"  # the demo's flow whose gap scan failed

# A job of SCANNED_FLOW whose worker stopped at 2 of 4 gaps long ago: taken as an operator,
# held back from the queue, then made to look as a job whose worker died looks.
STALLED_JOB = """
import sys, time
from dataclasses import replace
from sqlalchemy import select
from core.enhancement import jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.kernel.context import RequestContext
from core.kernel.dispatch import get_dispatcher, set_dispatcher
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionDataGap, CollectionFlow, Engagement
from db.session import get_engine, open_session

class HeldBack:
    def enqueue_gap_enhancement(self, **primitives): pass
    def enqueue_phase(self, **primitives): pass

set_dispatcher(HeldBack())
try:
    with open_session() as db:
        engagement = db.scalars(select(Engagement).where(Engagement.name == sys.argv[1])).one()
        operator = RequestContext(engagement.client_account_id, engagement.id, role="admin")
        with engagement_uow(operator, db) as uow:
            flow = uow.flows.list_flows(name_contains=sys.argv[2])[0]
            gaps = [
                {"field_name": gap.field_name, "gap_type": gap.gap_type, "asset_id": str(gap.asset_id)}
                for gap in uow.gaps.for_flow(flow.id)[:4]
            ]
            jobs.submit_gaps(uow, str(flow.flow_id), gaps)
            key = str(flow.id)
    store = job_store_for(get_engine())
    state = store.get(key)
    long_ago = time.time() - 3600
    died = replace(
        state, status=JobStatus.RUNNING, processed=2, percentage=50.0,
        started_at=long_ago - 3, heartbeat_at=long_ago,
    )
    store.update_if_current(key, died, ["status", "processed", "percentage", "started_at", "heartbeat_at"])
    store.delete(key, job_id="keep-the-job-drop-the-rate-limit")
finally:
    set_dispatcher(None)
"""


@pytest.fixture(scope="module")
def stack(shared_stack):
    add_user(shared_stack, ADMIN, "admin", CLIENT, PASSWORD)
    add_user(shared_stack, ANALYST, "analyst", CLIENT, PASSWORD)
    return shared_stack


@pytest.fixture
def page(browser):
    return open_tab(browser)


@pytest.fixture
def extra_worker(stack, tmp_path):
    """A second huey_consumer on the shared stack, for a test to kill."""
    started = []

    def start():
        log = tmp_path / "extra-worker.log"
        command = [str(BIN / "huey_consumer"), "jobs.huey_app.huey", "-w", "1", "-k", "thread"]
        started.append(start_logged(command, log, stack.env))
        return started[-1]

    yield start
    for process in started:
        stop_group(process, signal.SIGKILL)


def test_the_incident_list_shows_workers_and_stays_live_through_the_admins_retry(
    stack, page, extra_worker
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    stack.script(STALLED_JOB, ENGAGEMENT, SCANNED_FLOW)
    killed = extra_worker()
    sign_in(page, stack, ADMIN, PASSWORD, engagement=ENGAGEMENT, path="admin")
    expect(page.get_by_role("heading", name="Needs a hand")).to_be_visible()
    # A person's waiting flows are no incident; the stalled job and the failed scan are.
    summary = page.get_by_text(re.compile(r"^\d+ open:"))
    expect(summary).to_have_text("2 open: 1 flow failed, 1 job stalled")
    # The extra consumer reports, then, killed, is said to be offline with no click (the
    # panel refreshes by itself).
    worker = f":{killed.pid}"
    online = page.get_by_test_id("stMetric").filter(has_text="Workers online")
    expect(online).to_contain_text(re.compile(r"[2-9] of"))
    stop_group(killed, signal.SIGKILL)
    expect(page.get_by_text(re.compile(rf"^Worker .*{worker} is offline"))).to_be_visible()
    page.set_viewport_size({"width": 1440, "height": 1500})  # incidents, workers and jobs
    wait_idle(page)
    page.screenshot(path=str(SHOTS / "admin-incidents.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})

    choose(page, "Incident", f"{SCANNED_FLOW} (job stalled)", exact=False)
    page.get_by_role("button", name="Retry job").click()
    # (People's text is shown with a word joiner after a colon, so nothing reads as a link.)
    retried = re.compile(r"^Retried:\W? Gap analysis enqueued \(2 gaps\)")
    expect(page.get_by_text(retried)).to_be_visible()
    expect(summary).to_have_text("1 open: 1 flow failed")
    # With no further click, the retried job is followed as it runs, to its end.
    running = page.get_by_text(re.compile(rf"^(Queued|Running): {SCANNED_FLOW}"))
    expect(running).to_be_visible()
    expect(running).to_have_count(0, timeout=120_000)
    jobs = page.get_by_test_id("stDataFrame").last
    expect(jobs).to_be_visible()


def test_a_resumed_scan_keeps_its_failed_try_in_the_stepper(stack, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, stack, ADMIN, PASSWORD, engagement=ENGAGEMENT, path="admin")
    choose(page, "Incident", f"{FAILED_FLOW} (flow failed)", exact=False)
    page.get_by_role("button", name="Resume…").click()
    page.get_by_role("button", name="Yes, resume").click()
    expect(page.get_by_text(re.compile(r"^Resumed"))).to_be_visible()
    page.get_by_role("link", name="Flow", exact=True).click()
    choose(page, "Flow", FAILED_FLOW, exact=False)
    expect(page.get_by_text(re.compile(r"Try 1:\W? failed after"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Try 2:\W? done in .*, resumed by "))).to_be_visible()
    wait_idle(page)
    page.screenshot(path=str(SHOTS / "flow-tries.png"), full_page=True)


def test_an_analyst_opening_admin_reads_a_sentence(stack, page):
    sign_in(page, stack, ANALYST, PASSWORD, engagement=ENGAGEMENT, path="admin")
    expect(
        page.get_by_text(re.compile(r"^Admin is not open to your role \(analyst\)"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Needs a hand")).to_have_count(0)
