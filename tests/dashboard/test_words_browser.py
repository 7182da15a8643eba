"""In headless Chromium on the shared live stack: any form of a flow id opens it and odd
addresses show no traceback; a link names its engagement and switches to it; the Overview at
four engagements; no page shows a snake_case identifier."""

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.dashboard.live import (
    SHOTS,
    add_user,
    open_tab,
    query,
    sign_in,
    tab_kept_on_failure,
    wait_idle,
)
from tests.words import IDENTIFIER

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
NORTHWIND, CONTOSO = "Northwind Health", "Contoso Retail"
HOME, OTHER = "Datacenter Exit 2027", "Clinical Apps Wave"  # Northwind's two engagements
ANALYST = "words-analyst@demo.local"  # analyst of both Northwind engagements, no Contoso one
MANAGER = "words-manager@demo.local"  # manager of every engagement of both clients
ADMIN = "words-admin@demo.local"  # admin of Northwind's engagements
# What a person reads in an element: its text, but for icons (a Material icon is written as
# its name, "check_circle", and drawn as the icon by its font).
READ_TEXT = """(element) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const read = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && !/Material/i.test(getComputedStyle(parent).fontFamily)) {
      read.push(node.textContent);
    }
  }
  return read.join("\\n");
}"""
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length > 0 && charts.every((chart) => chart.querySelector(".main-svg"));
}"""


@pytest.fixture(scope="module")
def stack(shared_stack):
    add_user(shared_stack, ANALYST, "analyst", NORTHWIND, PASSWORD)
    add_user(shared_stack, ADMIN, "admin", NORTHWIND, PASSWORD)
    add_user(shared_stack, MANAGER, "manager", NORTHWIND, PASSWORD)
    add_user(shared_stack, MANAGER, "manager", CONTOSO, PASSWORD)
    return shared_stack


@pytest.fixture
def page(request, browser):
    with tab_kept_on_failure(request, browser) as tab:
        yield tab


def a_flow_of(stack, engagement: str) -> tuple[str, str, str]:
    """(flow id, flow name, engagement id) of the engagement's first flow by name."""
    [(flow_id, name, engagement_id)] = query(
        stack,
        "SELECT cf.flow_id, cf.flow_name, e.id FROM collection_flows cf"
        " JOIN engagements e ON e.id = cf.engagement_id WHERE e.name = :engagement"
        " ORDER BY cf.flow_name LIMIT 1",
        engagement=engagement,
    )
    return str(flow_id), name, str(engagement_id)


def no_traceback(page: Page) -> None:
    wait_idle(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_any_form_of_a_flow_id_opens_it_and_odd_addresses_show_no_traceback(stack, page):
    flow_id, name, _ = a_flow_of(stack, HOME)
    main = page.get_by_test_id("stMain")
    sign_in(page, stack, ADMIN, PASSWORD, engagement=HOME)
    for form in (flow_id.upper(), flow_id.replace("-", ""), flow_id.replace("-", "").upper()):
        for path in ("flow", "gaps"):
            page.goto(f"{stack.url}/{path}?flow={form}")
            expect(main).to_contain_text(name)
            expect(page).to_have_url(re.compile(f"flow={flow_id}"))
            no_traceback(page)
    pages = ("flows", "flow", "gaps", "questionnaires", "assets", "overview", "data", "admin")
    for path in (*pages, "people", "clients"):
        for odd in ("flow=zz%00&asset=%ff", f"flow={'9' * 300}&engagement=&page=-1"):
            page.goto(f"{stack.url}/{path}?{odd}")
            expect(page.get_by_text("Signed in as")).to_be_visible()
            no_traceback(page)
            if path in ("flow", "gaps", "questionnaires"):
                expect(main).to_contain_text("Flow not found")


def test_a_link_names_its_engagement_and_opens_it(stack, page, browser):
    flow_id, name, other_id = a_flow_of(stack, OTHER)
    main = page.get_by_test_id("stMain")
    sign_in(page, stack, ANALYST, PASSWORD, engagement=HOME)
    # Every page's address names the engagement shown.
    expect(page).to_have_url(re.compile(r"engagement=[0-9a-f-]{36}"))
    # A colleague's link to a flow of the analyst's other engagement: it switches there.
    page.goto(f"{stack.url}/flow?flow={flow_id}&engagement={other_id}")
    expect(main).to_contain_text(name)
    expect(page.get_by_test_id("stSidebar")).to_contain_text(f"{NORTHWIND} / {OTHER}")
    no_traceback(page)
    # Opened signed out in a new tab: sign in, and the page opens there with no picker.
    fresh = open_tab(browser)
    fresh.goto(f"{stack.url}/flow?flow={flow_id}&engagement={other_id}")
    fresh.get_by_role("textbox", name="Email").fill(ANALYST)
    fresh.get_by_role("textbox", name="Password").fill(PASSWORD)
    fresh.get_by_role("button", name="Sign in").click()
    expect(fresh.get_by_test_id("stMain")).to_contain_text(name)
    # An engagement the analyst is no member of (Contoso's) is not found, and shows nothing.
    _, foreign_name, foreign_id = a_flow_of(stack, "ERP Modernization")
    page.goto(f"{stack.url}/flow?engagement={foreign_id}")
    expect(main).to_contain_text("Engagement not found")
    expect(main).not_to_contain_text(foreign_name)
    no_traceback(page)


def test_the_overview_at_four_engagements_reads_and_keeps_its_choice(stack, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, stack, MANAGER, PASSWORD, engagement=HOME)
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    box = page.get_by_role("combobox", name="Engagements")
    for engagement in (OTHER, "ERP Modernization", "Stores Platform Move"):
        wait_idle(page)
        box.click()
        page.get_by_role("option", name=re.compile(re.escape(engagement))).click()
        wait_idle(page)
    page.keyboard.press("Escape")
    chips = page.get_by_test_id("stMultiSelect").get_by_role("button", name=re.compile("Remove"))
    expect(chips).to_have_count(4)
    expect(page.get_by_text("Gaps resolved per week")).to_be_visible()
    page.set_viewport_size({"width": 1440, "height": 3400})  # the whole Overview at once
    wait_idle(page)
    page.wait_for_function(CHARTS_DRAWN)
    # No chart squashed by its legend: every plot area keeps a useful height.
    heights = page.eval_on_selector_all(
        '[data-testid="stPlotlyChart"] .nsewdrag', "els => els.map(e => e.getBBox().height)"
    )
    assert heights and min(heights) >= 100, heights
    page.screenshot(path=str(SHOTS / "overview-engagements.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 1000})
    # Away and back: the four engagements are still picked.
    page.get_by_role("link", name="Flows", exact=True).click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    page.get_by_role("link", name="Overview", exact=True).click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(chips).to_have_count(4)


def test_no_page_shows_an_identifier(stack, page):
    flow_id, _, _ = a_flow_of(stack, HOME)
    sign_in(page, stack, ADMIN, PASSWORD, engagement=HOME, path=f"gaps?flow={flow_id}")
    main = page.get_by_test_id("stMain")
    found: dict[str, set[str]] = {}
    for path in ("flows", "flow", "gaps", "questionnaires", "assets", "overview", "admin"):
        page.goto(f"{stack.url}/{path}?flow={flow_id}")
        expect(page.get_by_text("Signed in as")).to_be_visible()
        wait_idle(page)
        shown = set(IDENTIFIER.findall(main.evaluate(READ_TEXT)))
        if shown:
            found[path] = shown
    assert found == {}
