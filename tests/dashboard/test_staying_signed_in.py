"""In headless Chromium: a sign-in outlives a reload and opens in a second tab; Sign out and a
deactivation end it."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.dashboard.live import (
    add_user,
    open_tab,
    sign_in,
    wait_idle,
)

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = f"Pw-{uuid.uuid4().hex[:12]}"
CLIENT, ENGAGEMENT = "Northwind Health", "Datacenter Exit 2027"
ANALYST = "stays@demo.local"


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The shared live stack, this module's analyst; sign-ins last SESSION_HOURS' default, 12."""
    add_user(shared_stack, ANALYST, "analyst", CLIENT, PASSWORD)
    yield shared_stack


def signed_in_on(page, heading: str) -> None:
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    wait_idle(page)


def cookie_kept(page, kept: bool = True) -> None:
    """Wait until the browser holds the session cookie (or no longer does)."""
    holds = "document.cookie.split('; ').some(c => c.startsWith('collection_session='))"
    page.wait_for_function(f"() => {holds}" if kept else f"() => !({holds})")


def signed_out(page) -> None:
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def test_a_reload_keeps_the_page_and_sign_out_ends_the_session(stack, browser):
    page = open_tab(browser)
    sign_in(page, stack, ANALYST, PASSWORD, ENGAGEMENT, path="flows")
    page.get_by_role("link", name="Import").click()
    expect(page).to_have_url(re.compile(r"/data\?engagement=[0-9a-f-]+$"))
    signed_in_on(page, "Import assets")
    cookie_kept(page)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "collection_session"]
    assert cookie["sameSite"] == "Strict" and cookie["expires"] > 0

    page.reload()
    expect(page).to_have_url(re.compile(r"/data\?engagement=[0-9a-f-]+$"))
    signed_in_on(page, "Import assets")
    second_tab = page.context.new_page()  # the same browser: signed in there too
    second_tab.goto(f"{stack.url}/flows")
    signed_in_on(second_tab, "Flows")

    page.get_by_role("button", name="Sign out").click()
    signed_out(page)
    cookie_kept(page, False)
    page.reload()
    signed_out(page)
    second_tab.reload()  # the session ended on the server, whatever the tab's cookie
    signed_out(second_tab)


def test_deactivation_refuses_the_open_tab_at_its_next_action_and_after_a_reload(stack, browser):
    page = open_tab(browser)
    sign_in(page, stack, ANALYST, PASSWORD, ENGAGEMENT, path="data")
    signed_in_on(page, "Import assets")
    cookie_kept(page)
    stack.command("users", "deactivate", ANALYST)
    try:
        page.get_by_role("link", name="Flows").click()
        # A deactivation ends the person's sign-in sessions: the open tab is signed out.
        expect(page.get_by_text("You were signed out")).to_be_visible()
        signed_out(page)
        page.reload()
        signed_out(page)
    finally:
        stack.command("users", "activate", ANALYST)
    page.reload()  # active again, but the deactivation ended the session: sign in anew
    signed_out(page)
