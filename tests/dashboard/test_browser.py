"""End to end in headless Chromium: streamlit run + huey_consumer on PostgreSQL and Redis."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.dashboard.live import (
    SHOTS,
    add_user,
    choose,
    click_table_rows,
    query,
    sign_in,
    tab_kept_on_failure,
    wait_idle,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
# UPDATE_SCREENSHOTS=1 refreshes README's pictures; otherwise a test run leaves docs/ alone.
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
CLIENT = "Northwind Health"
ANALYST, ADMIN = "e2e-analyst@demo.local", "e2e-admin@demo.local"
ENGAGEMENT = "Datacenter Exit 2027"
FAILED_FLOW = "Wave 7 - scan failed"  # the demo's flow whose gap scan failed


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The shared live stack (its worker takes 1.5 s a gap, so a page can be seen following a
    running job); this module's analyst and admin, on an engagement no other module changes."""
    add_user(shared_stack, ANALYST, "analyst", CLIENT, PASSWORD)
    add_user(shared_stack, ADMIN, "admin", CLIENT, PASSWORD)
    return shared_stack


@pytest.fixture
def page(request, browser):
    with tab_kept_on_failure(request, browser) as tab:
        yield tab


SCAN = """
import sys, uuid
from sqlalchemy import select
from core.gaps.scan import scan_flow_gaps
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from db.models import Engagement
from db.session import open_session
with open_session() as db:
    engagement = db.scalars(select(Engagement).where(Engagement.name == sys.argv[2])).one()
    operator = RequestContext(engagement.client_account_id, engagement.id, role="admin")
    with engagement_uow(operator, db) as uow:
        flow = uow.flows.get_by_master_flow_id(uuid.UUID(sys.argv[1]), for_update=True)
        print(scan_flow_gaps(uow, flow)["gaps_persisted"])
"""


# Records, on every change of the page, how many progress panels are on screen at once, where
# each one is (its path of child indexes under the main area), and whether a panel said
# "completed" while the page still showed the phase the job ends.
WATCH_PANELS = """
window.mostPanelsAtOnce = 0;
window.panelPlaces = [];
window.completedBesideTheOldPhase = false;
const placeOf = (element) => {
  const path = [];
  for (let e = element; e.parentElement && e.dataset.testid !== "stMain"; e = e.parentElement) {
    path.unshift([...e.parentElement.children].indexOf(e));
  }
  return path.join(".");
};
new MutationObserver(() => {
  const panels = [...document.querySelectorAll('[data-testid="jobProgress"]')];
  window.mostPanelsAtOnce = Math.max(window.mostPanelsAtOnce, panels.length);
  for (const place of panels.map(placeOf)) {
    if (!window.panelPlaces.includes(place)) window.panelPlaces.push(place);
  }
  if (panels.some((panel) => panel.innerText.includes("completed"))) {
    const main = document.querySelector('[data-testid="stMain"]');
    window.completedBesideTheOldPhase ||= main.innerText.includes("Phase: gap analysis");
  }
}).observe(document.body, {childList: true, subtree: true});
"""
# True once every chart on the page is drawn (Plotly loads, then draws its SVG).
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length > 0 && charts.every((chart) => chart.querySelector(".main-svg"));
}"""


def flow_in_gap_analysis_with_gaps(stack) -> tuple[str, str]:
    """A flow standing in gap_analysis whose scan stored gaps (the worker's progression case).

    The demo's "scan queued" flow stands in gap_analysis with no gaps yet: store its gaps
    without moving it on, as a scan on a worker does before the enhancement job runs.
    """
    rows = query(
        stack,
        "SELECT cf.flow_id, cf.flow_name FROM collection_flows cf JOIN engagements e"
        " ON e.id = cf.engagement_id WHERE cf.current_phase = 'gap_analysis'"
        " AND e.name = :engagement ORDER BY cf.flow_name",
        engagement=ENGAGEMENT,
    )
    flow_id, name = rows[0]
    persisted = int(stack.script(SCAN, str(flow_id), ENGAGEMENT).strip().splitlines()[-1])
    assert persisted >= 3
    return str(flow_id), name


def test_an_analyst_submits_three_gaps_and_watches_them_finish(stack, page):
    flow_id, name = flow_in_gap_analysis_with_gaps(stack)
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, stack, ANALYST, PASSWORD, engagement=ENGAGEMENT)
    expect(page.get_by_text("Select a row to open it")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    wait_idle(page)
    page.screenshot(path=str(SHOTS / "flows.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1750})  # the gap table and the progress panel
    # Find the flow by name, select its row, follow its Gaps link.
    page.get_by_role("textbox", name="Search by name").fill(name)
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 flow. Select a row to open it")).to_be_visible()
    click_table_rows(
        page,
        0,
        [0],
        settled=lambda _: expect(page.get_by_text(f"Selected: {name}")).to_be_visible(),
    )
    page.get_by_test_id("stMain").get_by_role("link", name="Gaps").click()
    expect(page.get_by_text("Phase: gap analysis")).to_be_visible()
    expect(page).to_have_url(re.compile(f"flow={flow_id}"))
    expect(page.get_by_role("button", name="Analyze 0 selected gaps")).to_be_visible()

    def ticked(count: int) -> None:
        label = f"Analyze {count} selected gap{'s' if count != 1 else ''}"
        expect(page.get_by_role("button", name=label)).to_be_visible()

    click_table_rows(page, 0, [0, 1, 2], settled=ticked)
    # From here on nothing reloads the page: a marker on the window would not survive a reload.
    page.evaluate("window.sameDocument = true")
    page.evaluate(WATCH_PANELS)
    page.get_by_role("button", name="Analyze 3 selected gaps").click()
    expect(page.get_by_text(re.compile(r"Gap analysis enqueued \(3 gaps\)"))).to_be_visible()
    panel = page.get_by_test_id("jobProgress")
    expect(panel).to_have_text(re.compile(r"Gap analysis (queued|running)"))
    expect(panel).to_have_text(re.compile(r"Gap analysis running: [1-9]\d?%"))
    page.screenshot(path=str(SHOTS / "gaps.png"), full_page=True)
    expect(panel).to_have_text(re.compile(r"Gap analysis completed: 100%"), timeout=120_000)
    processed = page.get_by_test_id("jobProcessed")
    expect(processed).to_contain_text("3 / 3")
    [(phase,)] = query(
        stack, "SELECT current_phase FROM collection_flows WHERE flow_id = :f", f=flow_id
    )
    assert phase == "questionnaire_generation"
    # The job's end reran the page by itself: the new phase and the enhanced rows show.
    expect(page.get_by_text("Phase: questionnaire generation")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Analysis complete: 3 gap"))).to_be_visible()
    # The flow's Jobs view keeps the job once it is done.
    page.get_by_text("Jobs of this flow").click()
    jobs = page.get_by_test_id("stExpander").filter(has_text="Jobs of this flow")
    expect(jobs.get_by_test_id("stDataFrame")).to_be_visible()
    wait_idle(page)
    assert page.evaluate("window.sameDocument === true")
    # One panel, in one place, all along: every run redraws it where the last one drew it, so
    # no run leaves the previous run's panel on screen beside its own.
    expect(panel).to_have_count(1)
    assert len(page.evaluate("window.panelPlaces")) == 1
    assert page.evaluate("window.mostPanelsAtOnce") == 1
    # The run that follows the job's end draws the finished panel, with the page it belongs to.
    assert page.evaluate("window.completedBesideTheOldPhase") is False
    page.screenshot(path=str(SHOTS / "gaps-done.png"), full_page=True)
    enhanced = query(
        stack,
        "SELECT count(*) FROM collection_data_gaps g JOIN collection_flows cf"
        " ON cf.id = g.collection_flow_id WHERE cf.flow_id = :f"
        " AND g.source_agent = 'gap_analysis_specialist'",
        f=flow_id,
    )
    assert enhanced[0][0] == 3


def test_an_admin_resumes_a_failed_flow_from_the_incident_list(stack, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, stack, ADMIN, PASSWORD, engagement=ENGAGEMENT)
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    wait_idle(page)
    page.wait_for_function(CHARTS_DRAWN)
    page.set_viewport_size({"width": 1440, "height": 2900})  # the whole Overview at once
    wait_idle(page)
    page.wait_for_function(CHARTS_DRAWN)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.get_by_role("link", name="Admin", exact=True).click()
    expect(page.get_by_role("heading", name="Needs a hand")).to_be_visible()
    # Every job of the engagement, refreshing itself (the analyst's job, when it ran first).
    jobs = page.get_by_role("heading", name="Gap jobs")
    expect(jobs).to_be_visible()
    wait_idle(page)
    jobs.scroll_into_view_if_needed()  # below the incidents and the workers
    page.screenshot(path=str(SHOTS / "jobs.png"), full_page=True)
    [(flow_id,)] = query(
        stack,
        "SELECT cf.flow_id FROM collection_flows cf JOIN engagements e ON e.id = cf.engagement_id"
        " WHERE e.name = :engagement AND cf.flow_name = :name AND cf.status = 'failed'",
        engagement=ENGAGEMENT,
        name=FAILED_FLOW,
    )
    choose(page, "Incident", f"{FAILED_FLOW} (flow failed)", exact=False)
    wait_idle(page)
    page.get_by_role("button", name="Resume…").click()
    expect(page.get_by_text(re.compile(r"Resume this flow\?"))).to_be_visible()
    page.screenshot(path=str(SHOTS / "admin.png"), full_page=True)
    page.get_by_role("button", name="Yes, resume").click()
    expect(page.get_by_text(re.compile(r"^Resumed"))).to_be_visible()
    # The rerun that shows "Resumed" replaces the confirmation; wait for it to go.
    expect(page.get_by_role("button", name="Yes, resume")).to_have_count(0)
    resumed = query(
        stack,
        "SELECT count(*) FROM audit_events WHERE action = 'flow_resumed' AND flow_id = :f",
        f=flow_id,
    )
    assert resumed[0][0] == 1


SENT_BACK_FLOW = "Wave 6 - answers sent back"  # the demo's flow whose answers failed validation


def test_a_copied_address_opens_its_flow_and_an_unknown_one_says_so(stack, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    [(flow_id,)] = query(
        stack,
        "SELECT cf.flow_id FROM collection_flows cf JOIN engagements e ON e.id = cf.engagement_id"
        " WHERE e.name = :engagement AND cf.flow_name = :name",
        engagement=ENGAGEMENT,
        name=SENT_BACK_FLOW,
    )
    main = page.get_by_test_id("stMain")
    # An address copied into a new tab (a new session): sign in, and that flow is shown.
    sign_in(page, stack, ANALYST, PASSWORD, engagement=ENGAGEMENT, path=f"gaps?flow={flow_id}")
    expect(main).to_contain_text(f"Gaps · {SENT_BACK_FLOW}")
    expect(page).to_have_url(re.compile(f"/gaps\\?flow={flow_id}"))
    # The sidebar's links keep the flow: the Flow page opens on it, with its stepper.
    wait_idle(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name="Flow", exact=True).click()
    expect(page).to_have_url(re.compile(f"/flow\\?flow={flow_id}"))
    expect(main.get_by_role("heading", name="Phases")).to_be_visible()
    expect(main).to_contain_text(SENT_BACK_FLOW)
    expect(main).to_contain_text("waiting for you")
    expect(main).to_contain_text("Manual collection")
    page.set_viewport_size({"width": 1440, "height": 1500})  # the stepper and the report
    wait_idle(page)
    page.screenshot(path=str(SHOTS / "flow-stepper.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    # An address naming no flow of the engagement says so, and shows no other flow.
    # The tab stays signed in (its session cookie), so the address opens straight away.
    page.goto(f"{stack.url}/gaps?flow={uuid.uuid4()}")
    expect(main).to_contain_text("Flow not found")
    wait_idle(page)
    expect(main).not_to_contain_text("Gaps ·")
