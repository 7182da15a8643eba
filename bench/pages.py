"""Overview and Admin: time to first full render in headless Chromium once Plotly has loaded,
with a history of gap jobs in the database. Prints JSON."""

import json
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.dashboard.live import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    add_user,
    live_stack,
    open_tab,
    sign_in,
    wait_idle,
)
from tests.processes import interrupt_on_termination  # noqa: E402

PASSWORD = f"Bench-{uuid.uuid4().hex[:10]}"
ENGAGEMENT = "Datacenter Exit 2027"
JOBS = 300
# Ended jobs of the demo's flows, as workers leave them in the history.
MAKE_HISTORY = """
import sys, time, uuid
from sqlalchemy import select
from core.enhancement.job_history import record_attempt_ended, record_submitted
from core.enhancement.job_state import JobState, JobStatus
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionFlow, Engagement
from db.session import open_session
with open_session() as db:
    engagement = db.scalars(select(Engagement).where(Engagement.name == sys.argv[2])).one()
    ctx = RequestContext(engagement.client_account_id, engagement.id, role="admin")
    with engagement_uow(ctx, db) as uow:
        flows = list(uow.flows.list_flows())
        for number in range(int(sys.argv[1])):
            flow = flows[number % len(flows)]
            start = time.time() - 86400 * (number % 14) - 60
            state = JobState.queued(str(uuid.uuid4()), 50, None, start)
            record_submitted(uow, flow.id, state, None)
            done = JobState(**{**state.__dict__, "status": JobStatus.COMPLETED, "processed": 50,
                               "started_at": start + 1, "heartbeat_at": start + 20})
            record_attempt_ended(uow, flow.id, done)
"""
CHARTS_DRAWN = """() => {
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.length > 0 && charts.every((chart) => chart.querySelector(".main-svg"));
}"""


def render_seconds(page, link: str, drawn) -> float:
    """From a click on the page's link until it is drawn and no script runs."""
    page.get_by_role("link", name="Flows", exact=True).click()
    # The last page's charts and tables gone: what is timed next is drawn anew.
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
    expect(page.get_by_role("heading", name=link)).to_have_count(0)
    wait_idle(page)
    started = time.perf_counter()
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=link)).to_be_visible()
    drawn()
    wait_idle(page)
    return time.perf_counter() - started


def main() -> None:
    interrupt_on_termination()  # a SIGTERM still stops the servers and drops the database
    result: dict = {"benchmark": "dashboard_overview_admin", "jobs": JOBS, "render_seconds": {}}
    with live_stack(worker=False, seed_args=("--assets", "500")) as stack:
        add_user(stack, "bench@demo.local", "admin", "Northwind Health", PASSWORD)
        stack.python("-c", MAKE_HISTORY, str(JOBS), ENGAGEMENT)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = open_tab(browser)
            sign_in(page, stack, "bench@demo.local", PASSWORD, engagement=ENGAGEMENT)
            pages = {
                "Overview": lambda: page.wait_for_function(CHARTS_DRAWN),
                "Admin": lambda: expect(
                    page.get_by_role("heading", name="Gap jobs")
                ).to_be_visible(),
            }
            for link, drawn in pages.items():
                render_seconds(page, link, drawn)  # loads Plotly and warms the server
                runs = [render_seconds(page, link, drawn) for _ in range(3)]
                result["render_seconds"][link] = {
                    "median": round(sorted(runs)[1], 3),
                    "runs": [round(run, 3) for run in runs],
                }
            browser.close()
    result["aim"] = {"render_seconds": 1.0}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
