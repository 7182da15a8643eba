"""End to end in headless Chromium: streamlit run + huey_consumer on PostgreSQL and Redis."""

import re
import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.dashboard.live import (
    CHROMIUM_ARGS,
    ROOT,
    add_user,
    click_table_rows,
    live_stack,
    sign_in,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
CLIENT = "Northwind Health"


@pytest.fixture(scope="module")
def stack():
    with live_stack(seed_args=("--assets", "80")) as running:
        add_user(running, "e2e-analyst@demo.local", "analyst", CLIENT, PASSWORD)
        add_user(running, "e2e-admin@demo.local", "admin", CLIENT, PASSWORD)
        yield running


@pytest.fixture
def page():
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        yield context.new_page()
        browser.close()


def query(stack, sql: str, **params):
    engine = create_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql), params).all()
    finally:
        engine.dispose()


def flow_in_gap_analysis_with_gaps(stack) -> tuple[str, str]:
    """A flow standing in gap_analysis whose scan stored gaps (the worker's progression case)."""
    rows = query(
        stack,
        "SELECT cf.flow_id, cf.flow_name FROM collection_flows cf JOIN engagements e"
        " ON e.id = cf.engagement_id WHERE cf.current_phase = 'gap_analysis'"
        " AND e.name = 'Datacenter Exit 2027' ORDER BY cf.flow_name",
    )
    flow_id, name = rows[0]
    stack.python(
        "-c",
        "import uuid\n"
        "from core.gap_scan import scan_flow_gaps\n"
        "from core.unit_of_work import atomic\n"
        "from db.models import CollectionFlow\n"
        "from db.session import open_session\n"
        "from sqlalchemy import select\n"
        "with open_session() as db, atomic(db):\n"
        f"    flow = db.scalars(select(CollectionFlow).where(CollectionFlow.flow_id == uuid.UUID('{flow_id}'))).one()\n"
        "    scan_flow_gaps(db, flow)\n",
    )
    return str(flow_id), name


def test_an_analyst_submits_three_gaps_and_watches_them_finish(stack, page):
    flow_id, name = flow_in_gap_analysis_with_gaps(stack)
    sign_in(page, stack, "e2e-analyst@demo.local", PASSWORD)
    page.get_by_text("Select a row to open it").wait_for()
    page.screenshot(path=str(SHOTS / "flows.png"), full_page=True)
    page.goto(f"{stack.url}/gaps?flow={flow_id}")
    page.get_by_role("button", name=re.compile(r"Analyze 0 selected gaps")).wait_for(timeout=30_000)
    click_table_rows(page, 0, [0, 1, 2])
    submit = page.get_by_role("button", name="Analyze 3 selected gaps")
    submit.wait_for(timeout=30_000)
    submit.click()
    # No reload from here on: the fragment refreshes itself every 2 s.
    page.get_by_text(re.compile(r"Analysis complete")).wait_for(timeout=120_000)
    assert page.get_by_text("3 / 3").count() >= 1
    page.screenshot(path=str(SHOTS / "gaps.png"), full_page=True)
    phase = query(stack, "SELECT current_phase FROM collection_flows WHERE flow_id = :f", f=flow_id)
    assert phase[0][0] != "gap_analysis"
    page.get_by_text(re.compile(r"Gaps · ")).wait_for()
    assert (
        page.get_by_text("gap_enhancement").count()
        or page.get_by_text("gap_analysis_specialist").count()
    )


def test_an_admin_resumes_a_paused_flow(stack, page):
    sign_in(page, stack, "e2e-admin@demo.local", PASSWORD)
    page.get_by_role("link", name="Admin").click()
    page.get_by_text("Flows that need a hand").wait_for(timeout=30_000)
    page.screenshot(path=str(SHOTS / "admin.png"), full_page=True)
    page.get_by_role("button", name="Resume…").click()
    page.get_by_role("button", name="Yes, resume").click()
    page.get_by_text(re.compile(r"^Resumed")).wait_for(timeout=60_000)
    page.get_by_role("link", name="Overview").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)
    resumed = query(stack, "SELECT count(*) FROM audit_events WHERE action = 'flow_resumed'")
    assert resumed[0][0] == 1
