"""From nothing of its own to work, as a new customer starts on a running deployment: the
command line makes a client, an engagement and its admin; the admin invites an analyst and a
manager on the People page; the analyst imports an inventory and creates a flow; the manager
sees it and no action. (The command line from an empty database: tests/db/test_tenants_cli.py.)"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.dashboard.live import (
    choose,
    open_tab,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
ADMIN_PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
INVENTORY = (
    "name,asset_type,operating_system\nweb-01,server,Linux\nweb-02,server,\ndb-01,database,\n"
)


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The shared live stack, where the command line makes this module's client Acme."""
    shared_stack.command("clients", "add", "Acme")
    shared_stack.command("engagements", "add", "Wave 1", "--client", "Acme")
    shared_stack.command(
        "users", "add", "lead@acme.example", "--role", "admin",
        "--client", "Acme", "--engagement", "Wave 1",
        stdin=ADMIN_PASSWORD + "\n",
    )  # fmt: skip
    return shared_stack


def invite(page, email: str, role: str) -> str:
    """Invite on the People page; the temporary password it shows once."""
    if not page.get_by_role("textbox", name="Email").is_visible():
        page.get_by_text("Invite someone").click()
    page.get_by_role("textbox", name="Email").fill(email)
    choose(page, "Role", role)
    wait_idle(page)
    page.get_by_role("button", name="Invite").click()
    shown = page.get_by_test_id("stCode")
    expect(page.get_by_text(f"Created {email} as {role}")).to_be_visible()
    password = shown.inner_text().strip()
    assert len(password) >= 12
    return password


def test_a_new_customer_starts_from_nothing_of_its_own(stack, browser, tmp_path):
    admin = open_tab(browser)
    sign_in(admin, stack, "lead@acme.example", ADMIN_PASSWORD)
    admin.get_by_role("link", name="People").click()
    expect(admin.get_by_role("heading", name="People")).to_be_visible()
    analyst_password = invite(admin, "ana@acme.example", "analyst")
    manager_password = invite(admin, "max@acme.example", "manager")
    table = admin.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()

    analyst = open_tab(browser)
    sign_in(analyst, stack, "ana@acme.example", analyst_password)
    analyst.get_by_role("link", name="Import").click()
    inventory = tmp_path / "inventory.csv"
    inventory.write_text(INVENTORY)
    analyst.locator("input[type=file]").set_input_files(str(inventory))
    importing = analyst.get_by_role("button", name=re.compile(r"^Import 3 row"))
    expect(importing).to_be_visible()
    wait_idle(analyst)
    importing.click()
    expect(analyst.get_by_test_id("stMetric").first).to_contain_text("3")
    analyst.get_by_role("link", name="Flows").click()
    analyst.get_by_role("textbox", name="Flow name").fill("Acme wave 1")
    analyst.get_by_role("button", name="Create flow").click()
    expect(analyst.get_by_role("heading", name="Acme wave 1")).to_be_visible()

    manager = open_tab(browser)
    sign_in(manager, stack, "max@acme.example", manager_password)
    expect(manager.get_by_role("heading", name="Flows")).to_be_visible()
    expect(manager.get_by_text("1 flow. Select a row to open it.")).to_be_visible()
    wait_idle(manager)
    actions = re.compile(r"Create|Import|Analyze|Resume|Invite|Archive|Save|Submit")
    expect(manager.get_by_role("button", name=actions)).to_have_count(0)
    expect(manager.get_by_role("link", name="Import")).to_have_count(0)
    expect(manager.get_by_role("link", name="People")).to_have_count(0)
