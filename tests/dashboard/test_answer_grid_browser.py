"""The answer grid and the answer spreadsheet in headless Chromium, on the shared live stack:
paste a block of 50 cells, fill down, accept the suggestions shown, one Save; download the
questions, fill them in, upload them back."""

import uuid

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.dashboard.live import SHOTS, add_user, choose, sign_in, tab_kept_on_failure, wait_idle

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Grid-{uuid.uuid4().hex[:12]}"
CLIENT, ENGAGEMENT = "Contoso Retail", "Stores Platform Move"  # no other browser module's
ANALYST = "grid-analyst@demo.local"
# A flow of 60 servers, each lacking its CPU cores, memory and operating system (a suggestion
# of Linux at 90 % for each), waiting for answers.
MAKE_FLOW = """
import sys
from sqlalchemy import select, update
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from db.models import Asset, CollectionDataGap, CollectionFlow, Engagement
from db.session import bind_tenant, open_session
name, count = sys.argv[1], int(sys.argv[2])
with open_session() as db:
    engagement = db.scalars(select(Engagement).where(Engagement.name == sys.argv[3])).one()
    bind_tenant(db, engagement.client_account_id, engagement.id)
    ctx = RequestContext(engagement.client_account_id, engagement.id, role="admin")
    assets = [Asset(client_account_id=engagement.client_account_id, engagement_id=engagement.id,
                    name=f"{name}-{i:03d}", asset_type="server", os_version="8", storage_gb=100.0,
                    environment="production", business_criticality="high",
                    business_owner="Dana Ortiz", technical_owner="lee@contoso.example",
                    custom_attributes={"network_zone": "dmz", "virtualization_platform": "vmware",
                                       "end_of_support_date": "2030-01-01",
                                       "known_vulnerabilities": 0})
              for i in range(count)]
    db.add_all(assets)
    db.commit()
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=name)
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "asset_selection",
                          {"selected_asset_ids": [str(a.id) for a in assets]})
    service.execute_phase(flow_id, "gap_analysis")
    child = service.get_by_master_flow_id(flow_id)
    db.execute(update(CollectionDataGap)
               .where(CollectionDataGap.collection_flow_id == child.id,
                      CollectionDataGap.field_name == "operating_system")
               .values(predicted_value="Linux", confidence_score=0.9,
                       ai_suggestions={"evidence": "9 of 10 peers run Linux"}))
    db.commit()
    service.execute_phase(flow_id, "questionnaire_generation")
    print(flow_id)
"""
ANSWERS = """SELECT q.title, r.value, g.field_name FROM questionnaire_responses r
JOIN questionnaires q ON q.id = r.questionnaire_id
JOIN collection_data_gaps g ON g.id::text = r.question_id
WHERE q.collection_flow_id = (SELECT id FROM collection_flows WHERE flow_id = :flow)"""


@pytest.fixture(scope="module")
def stack(shared_stack):
    add_user(shared_stack, ANALYST, "analyst", CLIENT, PASSWORD)
    return shared_stack


@pytest.fixture
def page(request, browser):
    with tab_kept_on_failure(request, browser, height=1400) as tab:
        yield tab


def make_flow(stack, name: str) -> str:
    return stack.script(MAKE_FLOW, name, "60", ENGAGEMENT).strip().splitlines()[-1]


def answers(stack, flow_id: str) -> list:
    engine = create_engine(stack.owner_url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(ANSWERS), {"flow": flow_id}).all()
    finally:
        engine.dispose()


def open_grid(page: Page, stack, flow_id: str) -> None:
    sign_in(page, stack, ANALYST, PASSWORD, engagement=ENGAGEMENT,
            path=f"questionnaires?flow={flow_id}")  # fmt: skip
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    wait_idle(page)


ROW = 35  # the height of a grid row, the header's too


def selected_in_row(grid, row: int) -> int:
    """The column of the selected cell once the selection is in `row` (read from the grid's
    accessible table, which says which cell is selected)."""
    selected = grid.locator(f'td[aria-selected="true"][id$="-{row}"]').first
    expect(selected).to_be_attached(timeout=10_000)
    return int(selected.get_attribute("id").split("-")[-2])


def click_cell(page: Page, row: int, column: str = "Answer") -> float:
    """Click a cell of the grid's first rows as a person does, again if a redraw of the page
    (a rerun after the last edit) swallowed the click. The column's x."""
    for attempt in range(4):
        try:
            return _click_cell(page, row, column)
        except AssertionError:
            if attempt == 3:
                raise
    raise AssertionError("unreachable")


def _click_cell(page: Page, row: int, column: str) -> float:
    """Where the column lies is found by clicking along the first two rows in turn (a click
    on the selected cell would open its editor), read back from the grid's accessible table."""
    wait_idle(page)
    page.keyboard.press("Escape")  # nothing selected: no click lands on a selected cell
    grid = page.get_by_test_id("stDataFrame").first
    headers = grid.locator('th[role="columnheader"]')
    expect(headers.first).to_be_attached()
    titles = headers.evaluate_all("cells => cells.map(c => [c.textContent, c.ariaColIndex])")
    index = next(int(at) for title, at in titles if title == column) - 1
    box = grid.bounding_box()
    assert box is not None
    x, at_row = box["x"] + 10, 0
    for step in range(200):
        at_row = step % 2 if row in (0, 1) else 1 - step % 2  # ending off the row asked for
        page.mouse.click(x, box["y"] + ROW * (1.5 + at_row))
        if selected_in_row(grid, at_row) == index:
            break
        x += 25
    if row != at_row:
        page.mouse.click(x, box["y"] + ROW * (1.5 + row))
    expect(grid.get_by_test_id(f"glide-cell-{index}-{row}")).to_have_attribute(
        "aria-selected", "true", timeout=10_000
    )
    return x


def shift_click(page: Page, x: float, row: int) -> None:
    """Extend the selection down to `row` of the column at `x`."""
    box = page.get_by_test_id("stDataFrame").first.bounding_box()
    assert box is not None
    page.keyboard.down("Shift")
    page.mouse.click(x, box["y"] + ROW * (1.5 + row))
    page.keyboard.up("Shift")


def paste(page: Page, tab_separated: str) -> None:
    """Paste as from a spreadsheet: the grid reads the clipboard when a paste event reaches it."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.evaluate("text => navigator.clipboard.writeText(text)", tab_separated)
    page.evaluate(
        """() => (document.activeElement || document.body).dispatchEvent(
            new ClipboardEvent("paste", {bubbles: true, cancelable: true}))"""
    )


def pick_only(page: Page, label: str, option: str) -> None:
    """Make `option` the one choice of the multiselect `label` (Backspace drops the last)."""
    wait_idle(page)
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    for _ in range(3):
        page.keyboard.press("Backspace")
    wait_idle(page)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def caption(page: Page, words: str) -> None:
    expect(page.get_by_text(words, exact=False).first).to_be_visible()


def test_paste_fill_down_accept_and_one_save(stack, page):
    flow_id = make_flow(stack, "Grid paste")
    open_grid(page, stack, flow_id)
    pick_only(page, "Attribute", "CPU cores")
    caption(page, "0 of 60 shown answered")
    # Fill down: the first ten rows take the value typed at the top.
    click_cell(page, 0)
    page.keyboard.press("Enter")  # opens the cell's editor
    editor = page.locator("textarea.gdg-input")
    expect(editor).to_be_visible()
    editor.fill("4")
    page.keyboard.press("Enter")
    caption(page, "1 answer(s) not saved yet")
    x = click_cell(page, 0)
    shift_click(page, x, 9)
    page.keyboard.press("ControlOrMeta+d")
    caption(page, "10 answer(s) not saved yet")
    # 50 cells from a spreadsheet: 49 good core counts and one out of range.
    block = [str(1 + n % 16) for n in range(49)] + ["5000"]
    click_cell(page, 10)
    paste(page, "\n".join(block))
    caption(page, "60 answer(s) not saved yet")
    # Every suggestion of the operating system shown, at once.
    pick_only(page, "Attribute", "Operating system family")
    wait_idle(page)
    page.get_by_role("button", name="Accept 60 suggestion(s) at or above 80 %").click()
    caption(page, "120 answer(s) not saved yet, 60 of them under other filters")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "answer-grid.png"), full_page=True)
    page.get_by_role("button", name="Save 120 answer(s)").click()
    expect(page.get_by_text("Saved 119 answer(s); 1 refused")).to_be_visible()
    # The refused one in a table (drawn on a canvas; its accessible table holds the text).
    expect(page.get_by_text("5000 is above the maximum 1024").first).to_be_attached()
    stored = answers(stack, flow_id)
    by_field: dict[str, list] = {}
    for _title, value, field in stored:
        by_field.setdefault(field, []).append(value)
    assert len(by_field["cpu_cores"]) == 59
    assert sum(1 for value in by_field["cpu_cores"] if value["answer"] == 4) >= 10
    assert len(by_field["operating_system"]) == 60
    assert all(v["accepted_prediction"]["confidence"] == 0.9 for v in by_field["operating_system"])


def test_the_spreadsheet_round_trip(stack, page, tmp_path):
    flow_id = make_flow(stack, "Grid sheet")
    open_grid(page, stack, flow_id)
    choose(page, "Owner", "lee@contoso.example")
    wait_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the questions shown (.xlsx)").click()
    downloaded = tmp_path / "open-questions.xlsx"
    download.value.save_as(downloaded)
    workbook = load_workbook(downloaded)
    sheet = workbook["Open questions"]
    header = [cell.value for cell in sheet[1]]
    assert sheet.max_row == 181  # lee, the technical owner, owns all 3 of each of 60 servers
    filled = {"CPU cores": 8, "Memory (GB)": "16384 MB", "Operating system family": "Linux"}
    for row in sheet.iter_rows(min_row=2):
        row[header.index("Answer")].value = filled[row[header.index("Question")].value]
    sheet["J2"] = "lots"  # one bad answer refuses the whole file
    bad = tmp_path / "answers-bad.xlsx"
    workbook.save(bad)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bad))
    # The button is drawn by the rerun the upload starts; a click before that rerun ends is lost.
    expect(page.get_by_role("button", name="Check and save the answers")).to_be_visible()
    wait_idle(page)
    page.get_by_role("button", name="Check and save the answers").click()
    expect(page.get_by_text("Nothing saved: 1 row(s) refused")).to_be_visible()
    assert answers(stack, flow_id) == []
    sheet["J2"] = filled[sheet["C2"].value]
    good = tmp_path / "answers.xlsx"
    workbook.save(good)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(good))
    # The upload reruns the page, which clears the last check's report: only once that rerun
    # has ended does a click on the button reach the new file (a click during it is lost).
    expect(page.get_by_text("Nothing saved: 1 row(s) refused")).to_be_hidden()
    wait_idle(page)
    page.get_by_role("button", name="Check and save the answers").click()
    expect(page.get_by_text("Saved 180 answer(s) from the spreadsheet.")).to_be_visible()
    stored = answers(stack, flow_id)
    assert len(stored) == 180
    assert {v["answer"] for _t, v, f in stored if f == "memory_gb"} == {16}
    caption(page, "180 of 180 shown answered")
