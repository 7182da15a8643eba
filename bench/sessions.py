"""A team watching a job: what each analyst on the Gaps page costs the web process.

Starts the Procfile's web and worker (process groups) on a scratch PostgreSQL database (the
application role) and Redis prefix, signs N analysts in, opens the Gaps page of a flow with a
running job, and measures over a fixed window while the bench writes the job's progress (as a
worker does): the web group's CPU seconds (/proc), CPU ms per refresh per analyst, analysts per
core at the refresh interval, web RSS, the time from a progress write to the number on screen
(p50/p95), and sign-in-to-Flows time. A refresh is one poll of the progress route by the job
panel in the page. Analysts are headless Chromium tabs (--browsers) or protocol-level clients
(--clients) that keep Streamlit's websocket session open without drawing and poll the route
with the pass the page run handed the panel, as the panel's script does; they are spread over
client processes (--client-processes, by default one per 25 analysts at 2 s) that sign in in
parallel. Prints one JSON object.
    python bench/sessions.py [--browsers 5,20] [--clients 100,300] [--window 60]
"""

import argparse
import asyncio
import json
import re
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script shares a directory with jobs.py: let `import jobs` find the package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.dashboard import MAKE_FLOW  # noqa: E402
from bench.session_clients import PASSWORD_VARIABLE, ClientProcesses, default_processes  # noqa: E402
from bench.session_figures import (  # noqa: E402
    ProgressWriter,
    measure,
    percentile,
    with_rate,
)
from bench.stream_client import StreamSession  # noqa: E402
from tests.dashboard.live import add_user  # noqa: E402
from tests.dashboard.procfile import group_cpu_seconds, group_rss_bytes, procfile_stack  # noqa: E402
from tests.processes import interrupt_on_termination  # noqa: E402

PASSWORD = f"Bench-{uuid.uuid4().hex[:10]}"
ENGAGEMENT = "Datacenter Exit 2027"
CLIENT = "Northwind Health"
# The settings a web process ran with before the project's .streamlit/config.toml set them.
BASELINE_SETTINGS = {
    "STREAMLIT_RUNNER_POST_SCRIPT_GC": "true",
    "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto",
    "STREAMLIT_RUNNER_MAGIC_ENABLED": "true",
}
# Records when each "processed" number first appears in the job panel (ms since epoch).
SEEN_SCRIPT = """
window.__seen = {};
new MutationObserver(() => {
  for (const metric of document.querySelectorAll('[data-testid="jobProcessed"]')) {
    const value = metric.querySelector('.job-panel-value');
    const processed = value && parseInt(value.textContent.split('/')[0], 10);
    if (processed >= 0 && !(processed in window.__seen)) window.__seen[processed] = Date.now();
  }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
# On the page's own clock: when a button is pressed, and when what the person then waits for
# is first drawn (the engagement picker, the Flows table's canvas). Playwright's expect()
# polls at growing intervals (up to 1 s), so its clock reads up to a second late.
SIGN_IN_MARKS = """
window.__marks = {};
document.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  if (button) window.__marks['pressed ' + button.innerText.trim()] = performance.now();
}, true);
const first = (name) => { if (!(name in window.__marks)) window.__marks[name] = performance.now(); };
new MutationObserver(() => {
  const buttons = [...document.querySelectorAll('button')];
  if (buttons.some((button) => button.innerText.trim() === 'Open engagement')) first('picker');
  if (document.querySelector('[data-testid="stDataFrame"] canvas')) first('table');
}).observe(document, {subtree: true, childList: true});
"""


def run_browsers(stack, flow_id, writer, count, args) -> dict:
    from playwright.sync_api import expect, sync_playwright

    from tests.dashboard.live import CHROMIUM, CHROMIUM_ARGS, open_tab

    refreshes = [0]
    sign_in_seconds, form_seconds, to_table_seconds, waited_seconds = [], [], [], []
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = []
        try:
            for _ in range(count):
                page = open_tab(browser)
                page.add_init_script(SEEN_SCRIPT)
                page.add_init_script(SIGN_IN_MARKS)
                page.on("request", count_polls(refreshes))
                form_s, to_table_s = timed_sign_in(page, stack)
                waited_seconds.append(waited_on_sign_in(page))
                form_seconds.append(form_s)
                to_table_seconds.append(to_table_s)
                sign_in_seconds.append(form_s + to_table_s)
                page.get_by_role("link", name="Gaps").click()
                expect(page.get_by_text(f"{writer.processed} / {writer.total}")).to_be_visible()
                pages.append(page)
            result = measure(
                stack,
                writer,
                args.window,
                args.write_period,
                lambda: refreshes[0],
                lambda: [seen_on(page) for page in pages],
                wait=lambda seconds: pages[0].wait_for_timeout(seconds * 1000),
            )
        finally:
            browser.close()
    result["sign_in_click_to_flows_table_s"] = {
        "p50": percentile(to_table_seconds, 0.5),
        "max": round(max(to_table_seconds), 3),
        "note": "press Sign in, choose the engagement, open it: the Flows table drawn",
    }
    result["sign_in_waited_s"] = {
        "p50": percentile(waited_seconds, 0.5),
        "max": round(max(waited_seconds), 3),
        "note": "on the page's clock: Sign in pressed to the picker drawn, plus Open engagement "
        "pressed to the Flows table drawn (what the person waits for, without choosing)",
    }
    result["sign_in_form_s"] = {
        "p50": percentile(form_seconds, 0.5),
        "note": "a new tab opens the app, the form drawn and filled (no cached files)",
    }
    result["sign_in_to_flows_s"] = {
        "p50": percentile(sign_in_seconds, 0.5),
        "max": round(max(sign_in_seconds), 3),
        "note": "both: goto the app, type, sign in, choose the engagement, open it, Flows table",
    }
    return with_rate(result, count, args.interval)


def timed_sign_in(page, stack) -> tuple[float, float]:
    """(s to open the app and fill the form, s from pressing Sign in to the Flows table drawn),
    acting as tests.dashboard.live.sign_in does: each click once the page is still."""
    from playwright.sync_api import expect

    from tests.dashboard.live import wait_idle

    started = time.perf_counter()
    page.goto(stack.url)
    page.get_by_role("textbox", name="Email").fill("analyst@bench.local")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    wait_idle(page)
    pressed = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Open engagement")).to_be_visible()
    page.get_by_label("Engagement").click()
    page.get_by_role("option", name=ENGAGEMENT).click()
    engagement = page.get_by_role("combobox", name="Engagement")
    expect(engagement).to_have_value(re.compile(re.escape(ENGAGEMENT)))
    wait_idle(page)
    page.get_by_role("button", name="Open engagement").click()
    expect(page.get_by_role("heading", name="Flows")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_be_visible()
    return pressed - started, time.perf_counter() - pressed


def waited_on_sign_in(page) -> float:
    """Seconds the person waited on the product while signing in (see SIGN_IN_MARKS)."""
    marks = page.evaluate("window.__marks")
    picker = marks["picker"] - marks["pressed Sign in"]
    table = marks["table"] - marks["pressed Open engagement"]
    return round((picker + table) / 1000, 3)


def count_polls(refreshes: list[int]):
    """A refresh is one poll of the progress route (the panel's script sends it)."""

    def counted(request) -> None:
        if "/_progress?" in request.url:
            refreshes[0] += 1

    return counted


def seen_on(page) -> dict[int, float]:
    return {int(key): value / 1000 for key, value in page.evaluate("window.__seen").items()}


def run_clients(stack, flow_id, writer, count, args) -> dict:
    processes = args.client_processes or default_processes(count, args.tick or args.interval)
    options = ["--email", "analyst@bench.local", "--engagement", ENGAGEMENT]
    options += ["--query", f"flow={flow_id}", "--parallel", str(args.sign_in_parallel)]
    options += ["--tick", str(args.tick)] if args.tick else []
    env = {**stack.env, PASSWORD_VARIABLE: PASSWORD}
    with ClientProcesses(stack.url, count, processes, options, env) as clients:
        with writer.kept_live(args.write_period):
            clients.start(args.tick or args.interval, one_by_one=args.sign_in_parallel == 1)
        result = measure(
            stack,
            writer,
            args.window,
            args.write_period,
            clients.polls,
            lambda: clients.stop()[1],  # after the last count: the sessions' screens
        )
    sign_in_seconds = clients.sign_in_seconds
    result["client_processes"] = len(clients.processes)
    result["sessions_lost"] = clients.lost  # connections that ended before the window did
    result["page_runs_asked"] = clients.page_runs_asked  # by panels (a job ended, a pass ran out)
    result["sign_in_to_gaps_s"] = {
        "p50": percentile(sign_in_seconds, 0.5),
        "max": round(max(sign_in_seconds), 3),
        "at_once": args.sign_in_parallel * (1 if args.sign_in_parallel == 1 else processes),
        "note": "protocol client: press Sign in, open the engagement, Gaps drawn",
    }
    return with_rate(result, count, args.interval)


def idle_cpu(web: int, seconds: float) -> float:
    """The web group's CPU ms a second with nobody connected: what every refresh shares."""
    before, started = group_cpu_seconds(web), time.perf_counter()
    time.sleep(seconds)
    return round(1000 * (group_cpu_seconds(web) - before) / (time.perf_counter() - started), 2)


def page_run_costs(stack, flow_id: str, runs: int) -> dict:
    """Server CPU of one full run of each page, the team otherwise idle (median of `runs`)."""
    web = stack.webs[0].pid

    async def cost(session: StreamSession, page: str, query: str) -> float:
        await session.open_page(page, query)  # warm: the page's first run in this session
        spent = []
        for _ in range(runs):
            before = group_cpu_seconds(web)
            await session.run()
            spent.append(group_cpu_seconds(web) - before)
        return round(1000 * sorted(spent)[len(spent) // 2], 1)

    async def main() -> dict:
        session = StreamSession(stack.url, page_name="flows")
        await session.open()
        await session.run()
        await session.submit({"Email": "manager@bench.local", "Password": PASSWORD}, "Sign in")
        await session.submit({"Engagement": ENGAGEMENT}, "Open engagement")
        costs = {
            "gaps": await cost(session, "gaps", f"flow={flow_id}"),
            "flows": await cost(session, "flows", ""),
            "overview": await cost(session, "overview", ""),
        }
        await session.close()
        return costs

    return {
        "cpu_ms": asyncio.run(main()),
        "runs": runs,
        "note": "/proc CPU ticks of the web group (10 ms resolution), median",
    }


def counts(text: str) -> list[int]:
    return [int(value) for value in text.split(",") if value.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--browsers", type=counts, default=[5, 20], help="Chromium tabs, e.g. 5,20")
    parser.add_argument("--clients", type=counts, default=[100, 300], help="protocol clients")
    parser.add_argument("--window", type=float, default=60, help="seconds measured per N")
    parser.add_argument("--minutes", type=float, help="the window in minutes (memory runs)")
    parser.add_argument("--gaps", type=int, default=20_000, help="gaps of the watched flow")
    parser.add_argument("--page-runs", type=int, default=5, help="runs timed of each page")
    parser.add_argument("--interval", type=float, default=2.0, help="the panel's refresh (s)")
    parser.add_argument(
        "--tick", type=float, help="s between a protocol client's refreshes (compressed runs)"
    )
    parser.add_argument(
        "--client-processes", type=int, help="processes the protocol clients share (default: by N)"
    )
    parser.add_argument(
        "--sign-in-parallel",
        type=int,
        default=4,
        help="sign-ins of the one account at once per client process (1: one at a time overall)",
    )
    parser.add_argument("--write-period", type=float, default=3.0, help="s between writes")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="run the web process with the settings from before .streamlit/config.toml set them",
    )
    args = parser.parse_args()
    if args.minutes:
        args.window = 60 * args.minutes
    interrupt_on_termination()  # a SIGTERM still stops the processes and drops the database
    result: dict = {"benchmark": "sessions", "settings": "baseline" if args.baseline else "project"}
    web_env = BASELINE_SETTINGS if args.baseline else None
    # The whole team signs in at once from one address with one account: in-flight sign-ins
    # count against the throttle until they succeed, so it is opened wide for the bench.
    wide = {"SIGN_IN_FREE_FAILURES": "100000", "SIGN_IN_ADDRESS_FREE_FAILURES": "100000"}
    with procfile_stack(seed_args=("--assets", "200"), web_env=web_env, extra_env=wide) as stack:
        add_user(stack, "analyst@bench.local", "analyst", CLIENT, PASSWORD)
        add_user(stack, "manager@bench.local", "manager", CLIENT, PASSWORD)
        flow_id, collection_flow_id = stack.python(
            "-c", MAKE_FLOW + "\nprint(child.id)", str(args.gaps)
        ).split()[-2:]
        writer = ProgressWriter(stack, collection_flow_id, total=100_000)
        web = stack.webs[0].pid
        result["web_rss_mb_idle"] = group_rss_bytes(web) >> 20
        result["web_cpu_ms_per_s_idle"] = idle_cpu(web, seconds=10)
        cpu_before = group_cpu_seconds(web)
        result[f"page_run_at_{args.gaps}_gaps"] = page_run_costs(stack, flow_id, args.page_runs)
        phases = [("chromium", count, run_browsers) for count in args.browsers]
        phases += [("protocol", count, run_clients) for count in args.clients]
        for kind, count, run in phases:
            try:
                result[f"{kind}_{count}"] = run(stack, flow_id, writer, count, args)
            except Exception as error:  # the phases before and after still count
                result[f"{kind}_{count}"] = {"error": f"{type(error).__name__}: {error}"[:500]}
        result["web_cpu_s_total"] = round(group_cpu_seconds(web) - cpu_before, 1)
    result["aim"] = {
        "cpu_ms_per_refresh": 3,
        "analysts_per_core": 300,
        "p95_write_to_screen_s": args.interval + 0.5,
        "sign_in_waited_s": 1.5,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
