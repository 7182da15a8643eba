"""The pages of bench/scale.py's engagement at size, as a person waits for them and as the
server runs them. In headless Chromium, with a `streamlit run` and a `huey_consumer` on the
size's database: from a click until the page is drawn and no script runs, for the Gaps page
(first draw, a filter change and its undoing, the next page), the Overview over every
engagement of the client, Flow, Flows and Assets. And each page's Streamlit script run in this
process (AppTest, as the web process runs it), cold and warm, with its SQL statements.

bench/scale.py --pages runs this in a process of its own, so that the browser's and AppTest's
memory are not counted as the size's; it prints one JSON object.
"""

import json
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# bench/jobs.py shares its name with the jobs package: let `import jobs` find the package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from sqlalchemy import Engine, event  # noqa: E402

from bench.page_runs import StatementCount, open_app, signed_in_state, timed_run  # noqa: E402
from bench.pages import ALL_DRAWN, BUSY_SINCE, render_seconds  # noqa: E402
from tests.dashboard.live import (  # noqa: E402
    BIN,
    CHROMIUM,
    CHROMIUM_ARGS,
    FAILURES,
    LiveStack,
    add_user,
    live_stack,
    open_tab,
    sign_in,
    wait_idle,
)
from tests.processes import interrupt_on_termination  # noqa: E402

EMAIL = "scale@bench.local"
PASSWORD = f"Bench-{secrets.token_hex(5)}"
CRITICAL = "Critical (P1)"
# The aims of the issue "an estate of 100,000 servers", in seconds as a person waits.
AIMS = {
    "gaps_first_draw": 1.5,
    "gaps_filter_change": 1.0,
    "gaps_filter_cleared": 1.0,
    "gaps_next_page": 1.0,
    "overview_all_engagements": 1.5,
    "flow": 1.0,
    "flows": 1.0,
    "assets": 1.0,
}
# Counts the script runs that ended (the root's state back to "notRunning") since it was
# first called, and returns the count: a click is timed until the run it started ends.
RUN_ENDS = """() => {
  if (window.runEnds === undefined) {
    window.runEnds = 0;
    const app = document.querySelector('[data-testid="stApp"]');
    new MutationObserver((records) => {
      for (const record of records) {
        if (record.oldValue !== "notRunning"
            && app.getAttribute("data-test-script-state") === "notRunning") {
          window.runEnds += 1;
        }
      }
    }).observe(app, {
      attributes: true, attributeFilter: ["data-test-script-state"], attributeOldValue: true,
    });
  }
  return window.runEnds;
}"""


def load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def summary(first: float, runs: list[float], aim: float | None) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "first_s": round(first, 3),
        "median_s": round(statistics.median(runs), 3),
        "best_s": round(min(runs), 3),
        "runs_s": [round(run, 3) for run in runs],
        "load_average": load(),
    }
    if aim is not None:
        figures["aim_s"] = aim
        figures["met"] = statistics.median(runs) <= aim
    return figures


def server_runs(
    session: dict,
    flow_id: str,
    runs: int,
    profile: str | None,
    engagement_ids: list[str],
    explain: bool,
) -> dict[str, Any]:
    """Each page's script run (AppTest), cold and warm; the Overview over every engagement."""
    import uuid

    from bench.page_runs import page_figures
    from dashboard import state

    session = {**session, state.OVERVIEW_ENGAGEMENTS: [uuid.UUID(e) for e in engagement_ids]}
    figures: dict[str, Any] = {}
    ctx = session[state.CONTEXT]
    for page in ("gaps", "overview", "flow", "flows", "assets"):
        statements = SlowStatements()
        figures[page] = {**page_figures(page, session, flow_id, runs, page == profile)}
        figures[page]["load_average"] = load()
        figures[page]["slowest_statements"] = slowest(page, statements.stop(), ctx, explain)
    app = open_app("gaps", session, flow_id)
    app.run()
    changes: dict[str, list[float]] = {"filter_change": [], "filter_cleared": [], "next_page": []}
    statements = StatementCount()
    timed = SlowStatements()
    for _ in range(runs):
        app.multiselect(key="gf_prio").select(1)
        changes["filter_change"].append(timed_run(app))
        app.multiselect(key="gf_prio").unselect(1)
        changes["filter_cleared"].append(timed_run(app))
    for _ in range(runs):
        app.number_input(key="gaps_page_number").increment()
        changes["next_page"].append(timed_run(app))
    errors = [str(element.value)[:300] for element in app.exception]
    for name, times in changes.items():
        figures[f"gaps_{name}"] = {
            "warm_median_s": round(statistics.median(times), 3),
            "warm_runs_s": [round(run, 3) for run in times],
            **({"errors": errors} if errors else {}),
        }
    figures["gaps_next_page"]["page_reached"] = app.number_input(key="gaps_page_number").value
    figures["gaps_changes_sql_statements"] = statements.count
    figures["gaps_changes_slowest_statements"] = slowest("gaps changes", timed.stop(), ctx, explain)
    return figures


class SlowStatements:
    """Each statement run while listening, with its seconds and parameters."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, Any]] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        connection.info["statement_started"] = time.perf_counter()

    def _after(self, connection, cursor, statement, parameters, context, executemany) -> None:
        took = time.perf_counter() - connection.info.pop("statement_started", time.perf_counter())
        self.seen.append((took, statement, parameters))

    def stop(self) -> list[tuple[float, str, Any]]:
        event.remove(Engine, "before_cursor_execute", self._before)
        event.remove(Engine, "after_cursor_execute", self._after)
        return sorted(self.seen, key=lambda seen: -seen[0])


def explained(ctx, statement: str, parameters: Any) -> str:
    """PostgreSQL's plan of `statement`, run (EXPLAIN ANALYZE), as the application's role
    bound to the engagement, as the page ran it."""
    from core.storage.unit_of_work import engagement_uow

    with engagement_uow(ctx) as uow:
        rows = uow.session.connection().exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters
        )
        return "\n".join(row[0] for row in rows)


def slowest(page: str, seen, ctx, explain: bool) -> list[dict[str, Any]]:
    """The page's three slowest statements of its runs (each statement once), and with
    `explain` their plans to stderr."""
    shown: list[dict[str, Any]] = []
    for took, statement, parameters in seen:
        if any(statement == each["sql"] for each in shown) or statement.startswith("SELECT set_"):
            continue
        shown.append({"ms": round(took * 1000, 1), "sql": statement})
        if explain and statement.lstrip().upper().startswith("SELECT"):
            try:
                plan = explained(ctx, statement, parameters)
            except Exception as error:  # a plan is a help, never the figures' end
                plan = f"(no plan: {error})"
            print(f"== {page}: {took * 1000:.1f} ms\n{statement}\n{plan}\n", file=sys.stderr)
        if len(shown) == 3:
            break
    return [{**each, "sql": " ".join(each["sql"].split())[:240]} for each in shown]


def run_ended_after(tab: Page, click, busy: list[float]) -> float:
    """Seconds from `click()` until the run it started has ended and everything is drawn; the
    seconds of it the browser's main thread was busy go to `busy`."""
    ends = tab.evaluate(RUN_ENDS)
    tab.evaluate(BUSY_SINCE, 0)
    mark = tab.evaluate("performance.now()")
    started = time.perf_counter()
    click()
    tab.wait_for_function("(ends) => window.runEnds > ends", arg=ends)
    tab.wait_for_function(ALL_DRAWN)
    seconds = time.perf_counter() - started
    busy.append(tab.evaluate(BUSY_SINCE, mark))
    return seconds


def matching(tab: Page) -> str:
    metric = tab.get_by_test_id("stMetric").filter(has_text="Matching")
    return metric.get_by_test_id("stMetricValue").inner_text()


def chips(tab: Page, label: str):
    """The chosen options of the multiselect `label`: each has its "Remove …" button."""
    box = tab.get_by_test_id("stMultiSelect").filter(has=tab.get_by_text(label, exact=True))
    return box.get_by_role("button", name=re.compile("^Remove "))


def pick_engagements(tab: Page, labels: list[str]) -> None:
    """Every one of `labels` chosen in the Overview's "Engagements" box, as a person picks."""
    box = tab.get_by_role("combobox", name="Engagements", exact=True)
    for label in labels:
        wait_idle(tab)
        box.click()
        tab.get_by_role("option", name=label, exact=True).click()
        wait_idle(tab)
    tab.keyboard.press("Escape")
    expect(chips(tab, "Engagements")).to_have_count(len(labels) + 1)


def browser_times(
    stack: LiveStack, engagement: str, others: list[str], runs: int
) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    splits: dict[str, dict[str, float]] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        tab = open_tab(browser)
        try:
            sign_in(tab, stack, EMAIL, PASSWORD, engagement=engagement)
            tab.get_by_role("link", name="Overview", exact=True).click()
            expect(tab.get_by_role("heading", name="Overview")).to_be_visible()
            pick_engagements(tab, others)
            for link, name in (
                ("Overview", "overview_all_engagements"),
                ("Flows", "flows"),
                ("Flow", "flow"),
                ("Assets", "assets"),
                ("Gaps", "gaps_first_draw"),
            ):
                first = render_seconds(tab, link)  # loads Plotly, warms the server's caches
                parts: dict[str, list[float]] = {}
                times = [render_seconds(tab, link, parts) for _ in range(runs)]
                figures[name] = summary(first, times, AIMS[name])
                splits[name] = {
                    part: round(statistics.median(times), 3) for part, times in parts.items()
                }
            figures.update(gaps_changes(tab, runs))
        except Exception:
            FAILURES.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(FAILURES / "scale-pages.png"), full_page=True)
            raise
        finally:
            browser.close()
    figures["splits_median_s"] = splits
    return figures


def gaps_changes(tab: Page, runs: int) -> dict[str, Any]:
    """On the Gaps page: Critical picked in Priority and taken out again; then the next page."""
    wait_idle(tab)
    everything = matching(tab)
    priority = tab.get_by_role("combobox", name="Priority", exact=True)
    chosen = chips(tab, "Priority")
    picked: list[float] = []
    cleared: list[float] = []
    busy: dict[str, list[float]] = {
        "gaps_filter_change": [],
        "gaps_filter_cleared": [],
        "gaps_next_page": [],
    }
    critical = everything
    for _ in range(runs + 1):
        wait_idle(tab)
        priority.click()
        option = tab.get_by_role("option", name=CRITICAL, exact=True)
        expect(option).to_be_visible()
        picked.append(run_ended_after(tab, option.click, busy["gaps_filter_change"]))
        tab.keyboard.press("Escape")
        expect(chosen).to_have_count(1)
        critical = matching(tab)
        assert critical != everything, (critical, everything)
        wait_idle(tab)
        clear = tab.get_by_test_id("stMultiSelect").filter(has=tab.get_by_text("Priority"))
        clear_all = clear.get_by_role("button", name="Clear all").click
        cleared.append(run_ended_after(tab, clear_all, busy["gaps_filter_cleared"]))
        expect(chosen).to_have_count(0)
        assert matching(tab) == everything, (matching(tab), everything)
    pager = tab.get_by_test_id("stNumberInput").filter(has_text="Page (of")
    step = pager.get_by_test_id("stNumberInputStepUp")
    pages: list[float] = []
    for number in range(2, runs + 3):
        wait_idle(tab)
        pages.append(run_ended_after(tab, step.click, busy["gaps_next_page"]))
        expect(pager.get_by_role("spinbutton")).to_have_value(str(number))
    return {
        "gaps_filter_change": summary(picked[0], picked[1:], AIMS["gaps_filter_change"]),
        "gaps_filter_cleared": summary(cleared[0], cleared[1:], AIMS["gaps_filter_cleared"]),
        "gaps_next_page": summary(pages[0], pages[1:], AIMS["gaps_next_page"]),
        "gaps_matching": {"all": everything, "critical": critical},
        "browser_busy_median_s": {
            name: round(statistics.median(times[1:]), 3) for name, times in busy.items()
        },
    }


def engagement_names(owner_url: str, engagement_ids: list[str]) -> dict[str, str]:
    """Each engagement's "client / engagement" as the Overview's box names it."""
    import psycopg

    plain = owner_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection:
        rows = connection.execute(
            "SELECT e.id::text, c.name || ' / ' || e.name, e.name FROM engagements e"
            " JOIN client_accounts c ON c.id = e.client_account_id WHERE e.id::text = ANY(%s)",
            (engagement_ids,),
        ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def measure(arguments: dict[str, Any]) -> dict[str, Any]:
    owner_url, app_url = arguments["owner_url"], arguments["app_url"]
    engagement_ids, flow_id, runs = arguments["engagements"], arguments["flow"], arguments["runs"]
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": app_url,
        "MIGRATION_DATABASE_URL": owner_url,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    running = LiveStack("", app_url, owner_url, env, os.environ.get("REDIS_KEY_PREFIX", ""))
    add_user(running, EMAIL, "admin", arguments["client"], PASSWORD)
    names = engagement_names(owner_url, engagement_ids)
    label, engagement = names[engagement_ids[0]]
    others = [names[other][0] for other in engagement_ids[1:]]
    figures: dict[str, Any] = {"load_average_at_start": load()}

    from config.settings import get_settings
    from db.session import get_engine

    get_settings.cache_clear()
    get_engine.cache_clear()
    session = signed_in_state(EMAIL, PASSWORD, engagement)
    figures["server_page_runs"] = server_runs(
        session,
        flow_id,
        runs,
        arguments.get("profile"),
        engagement_ids,
        arguments.get("explain", False),
    )
    get_engine().dispose()
    with live_stack(worker=True, database_of=running) as stack:
        figures["browser"] = browser_times(stack, engagement, others, runs)
        forget_huey_queue(stack.redis_prefix)
    figures["overview_engagements"] = [label, *others]
    return figures


def forget_huey_queue(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = list(client.scan_iter(match=f"huey.*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def main() -> None:
    interrupt_on_termination()  # a SIGTERM still stops the servers
    arguments = json.loads(sys.argv[1])
    print(json.dumps(measure(arguments)))


if __name__ == "__main__":
    main()
