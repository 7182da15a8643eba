"""Each page's time to drawn in headless Chromium once Plotly has loaded (from a click on its
link until its heading, every table and chart are drawn and no script runs), on the demo data
with a history of gap jobs. Prints JSON. `--pages Overview Admin` times only those;
`--compare TREE` also serves another checkout of the code (e.g. `git archive main`) on the same
database and times each page on both in turns, so that both see the same load."""

import argparse
import dataclasses
import json
import os
import re
import subprocess
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
    LiveStack,
    _wait_healthy,
    add_user,
    free_port,
    live_stack,
    open_tab,
    sign_in,
    wait_idle,
)
from tests.processes import interrupt_on_termination, start_group, stop_group  # noqa: E402

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
# Every shown chart has its SVG, every shown table its canvas (a collapsed expander's are not
# drawn), and no element still shows a skeleton.
ALL_DRAWN = """() => {
  const shown = (id) => [...document.querySelectorAll(`[data-testid="${id}"]`)]
    .filter((element) => !element.closest("details:not([open])"));
  const charts = shown("stPlotlyChart");
  const tables = shown("stDataFrame");
  return charts.every((chart) => chart.querySelector(".main-svg"))
    && tables.every((table) => table.querySelector("canvas"))
    && document.querySelectorAll('[data-testid="stSkeleton"]').length === 0;
}"""
# The browser's main thread busy (tasks of 50 ms or more: scripts, layout, drawing) since a
# moment of performance.now(), in seconds; the first call starts watching.
BUSY_SINCE = """(since) => {
  if (window.longTasks === undefined) {
    window.longTasks = [];
    new PerformanceObserver((list) => window.longTasks.push(...list.getEntries()))
      .observe({ type: "longtask" });
  }
  return window.longTasks.filter((task) => task.startTime >= since)
    .reduce((sum, task) => sum + task.duration, 0) / 1000;
}"""
# Each page's link and the heading that says it is open (Flow's title is the flow's name).
HEADINGS = {
    "Flows": "Flows",
    "Flow": "Phases",
    "Gaps": re.compile(r"^Gaps · "),
    "Questionnaires": re.compile(r"^Questionnaires · "),
    "Assets": "Assets",
    "Overview": "Overview",
    "Admin": "Gap jobs",
    "People": "People",
}


def render_seconds(page, link: str, splits: dict[str, list[float]] | None = None) -> float:
    """From a click on the page's link until it is drawn and no script runs; `splits` gets the
    seconds until its heading showed and until the script run ended, and those of them the
    browser's main thread was busy."""
    splits = {} if splits is None else splits
    away = "People" if link == "Flows" else "Flows"
    page.get_by_role("link", name=away, exact=True).click()
    # The last page's heading gone and the other page still: what is timed next is drawn anew.
    expect(page.get_by_role("heading", name=HEADINGS[link])).to_have_count(0)
    expect(page.get_by_role("heading", name=HEADINGS[away])).to_be_visible()
    wait_idle(page)
    page.wait_for_function(ALL_DRAWN)
    page.evaluate(BUSY_SINCE, 0)
    mark = page.evaluate("performance.now()")
    started = time.perf_counter()
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=HEADINGS[link])).to_be_visible()
    splits.setdefault("heading", []).append(time.perf_counter() - started)
    wait_idle(page)
    splits.setdefault("run_ended", []).append(time.perf_counter() - started)
    page.wait_for_function(ALL_DRAWN)
    seconds = time.perf_counter() - started
    splits.setdefault("browser_busy", []).append(page.evaluate(BUSY_SINCE, mark))
    return seconds


def serve(stack: LiveStack, tree: Path) -> tuple[LiveStack, subprocess.Popen]:
    """The dashboard of `tree` served on the stack's database, on a port of its own."""
    url = f"http://127.0.0.1:{free_port()}"
    env = {**stack.env, "PYTHONPATH": str(tree)}
    command = [sys.executable, "-m", "streamlit", "run", "dashboard/server.py"]
    command += ["--server.port", url.rsplit(":", 1)[1], "--server.headless", "true"]
    command += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    web = start_group(command, cwd=tree, env=env, stdout=subprocess.DEVNULL)
    _wait_healthy(url, web)
    return dataclasses.replace(stack, url=url), web


def median(runs: list[float]) -> dict:
    runs = sorted(runs)
    return {"median": round(runs[len(runs) // 2], 3), "runs": [round(run, 3) for run in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", nargs="+", default=list(HEADINGS), choices=list(HEADINGS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--compare", type=Path, help="another checkout, timed in turns")
    args = parser.parse_args()
    interrupt_on_termination()  # a SIGTERM still stops the servers and drops the database
    result: dict = {"benchmark": "dashboard_pages", "jobs": JOBS, "render_seconds": {}}
    with live_stack(worker=False, seed_args=("--assets", "500")) as stack:
        add_user(stack, "bench@demo.local", "admin", "Northwind Health", PASSWORD)
        stack.python("-c", MAKE_HISTORY, str(JOBS), ENGAGEMENT)
        stacks = {"this": stack}
        web = None
        if args.compare:
            stacks["compare"], web = serve(stack, args.compare.resolve())
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                tabs = {}
                for name, served in stacks.items():
                    tabs[name] = open_tab(browser)  # a context each: cookies ignore the port
                    sign_in(tabs[name], served, "bench@demo.local", PASSWORD, engagement=ENGAGEMENT)
                for link in args.pages:
                    runs: dict[str, list[float]] = {name: [] for name in tabs}
                    splits: dict[str, list[float]] = {}  # this checkout's only
                    for tab in tabs.values():
                        render_seconds(tab, link)  # loads Plotly and warms the server
                    for _ in range(args.runs):
                        for name, tab in tabs.items():
                            kept = splits if name == "this" else None
                            runs[name].append(render_seconds(tab, link, kept))
                    result["render_seconds"][link] = median(runs["this"])
                    result.setdefault("splits", {})[link] = {
                        name: median(times)["median"] for name, times in splits.items()
                    }
                    if args.compare:
                        result.setdefault("compare", {})[link] = median(runs["compare"])
                browser.close()
        finally:
            if web is not None:
                stop_group(web)
    result["aim"] = {"render_seconds": 1.0}
    result["load_average"] = [round(load, 1) for load in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
