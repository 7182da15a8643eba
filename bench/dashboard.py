"""Gaps page: time to first full render in headless Chromium at 1,000 and 20,000 gaps, and the
database/Redis reads of one poll of the progress route. Prints JSON."""

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
    wait_idle,
)
from tests.processes import interrupt_on_termination  # noqa: E402

PASSWORD = f"Bench-{uuid.uuid4().hex[:10]}"
SIZES = (1_000, 20_000)
MAKE_FLOW = """
import sys, uuid
from sqlalchemy import select
from core.flows.child_flow_service import CollectionChildFlowService
from core.kernel.context import RequestContext
from core.gaps.store import upsert_gaps
from core.flows.orchestrator import MasterFlowOrchestrator
from db.models import Asset, Engagement
from db.session import bind_tenant, open_session
from db.types import utcnow
gaps = int(sys.argv[1])
with open_session() as db:
    engagement = db.scalars(select(Engagement).where(Engagement.name == "Datacenter Exit 2027")).one()
    bind_tenant(db, engagement.client_account_id, engagement.id)
    ctx = RequestContext(engagement.client_account_id, engagement.id, role="admin")
    assets = list(db.scalars(select(Asset.id).where(Asset.engagement_id == engagement.id)))
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=f"Bench {gaps}")
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(a) for a in assets]})
    child = service.get_by_master_flow_id(flow_id)
    now = utcnow()
    rows = [
        {"id": uuid.uuid4(), "collection_flow_id": child.id, "asset_id": assets[i % len(assets)],
         "field_name": f"bench_field_{i // len(assets)}", "gap_type": "missing",
         "gap_category": "infrastructure", "priority": 1 + i % 4, "resolution_status": "pending",
         "ai_suggestions": {}, "created_at": now, "updated_at": now}
        for i in range(gaps)
    ]
    for start in range(0, len(rows), 5000):
        upsert_gaps(db, rows[start:start + 5000])
    db.commit()
    print(flow_id)
"""
COUNT_TICK = """
import json, sys
import redis
from sqlalchemy import Engine, event, select
from core.kernel.context import RequestContext
from core.enhancement import progress_pass
from core.enhancement.jobs import read_progress_by_pass, watch_job
from core.storage.unit_of_work import engagement_uow
from db.models import Engagement
from db.session import open_session
with open_session() as db:
    engagement = db.scalars(select(Engagement).where(Engagement.name == "Datacenter Exit 2027")).one()
ctx = RequestContext(engagement.client_account_id, engagement.id, role="analyst")
counts = {"sql": 0, "redis": 0}
event.listen(Engine, "before_cursor_execute", lambda *a: counts.__setitem__("sql", counts["sql"] + 1))
original = redis.Redis.execute_command
def counted(self, *args, **kwargs):
    counts["redis"] += 1
    return original(self, *args, **kwargs)
redis.Redis.execute_command = counted
# As the Gaps page does: the tenant check and the pass once per page run, then the polls
# of the progress route (the pass checked, the job key read).
with open_session() as db, engagement_uow(ctx, db) as uow:
    read, token = watch_job(uow, sys.argv[1])
    read()
per_page_run = dict(counts)
counts.update(sql=0, redis=0)
ticks = 10
for _ in range(ticks):
    read_progress_by_pass(progress_pass.read(token))
print(json.dumps({
    "per_tick": {key: value / ticks for key, value in counts.items()},
    "per_page_run_before_ticks": per_page_run,
}))
"""


def render_seconds(browser, stack, flow_id: str, size: int) -> float:
    """A fresh browser session opens the flow's Gaps page by its address and signs in; timed
    from "Open engagement" until the table, the counts and the progress panel are drawn."""
    page = open_tab(browser)
    page.goto(f"{stack.url}/gaps?flow={flow_id}")
    page.get_by_role("textbox", name="Email").fill("bench@demo.local")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Open engagement")).to_be_visible()
    page.get_by_label("Engagement").click()
    page.get_by_role("option", name="Datacenter Exit 2027").click()
    wait_idle(page)
    started = time.perf_counter()
    page.get_by_role("button", name="Open engagement").click()
    try:
        expect(page.get_by_text(f"{size:,} of {size:,}")).to_be_visible()
        expect(page.get_by_test_id("stDataFrame").locator("canvas").first).to_be_visible()
        expect(page.get_by_role("button", name="Analyze 0 selected gaps")).to_be_visible()
        expect(page.get_by_text("No gap job for this flow yet")).to_be_visible()
    except Exception:
        page.screenshot(path=str(ROOT / "var" / "bench-dashboard-failure.png"), full_page=True)
        raise
    elapsed = time.perf_counter() - started
    page.context.close()
    return elapsed


def main() -> None:
    interrupt_on_termination()  # a SIGTERM still stops the servers and drops the database
    result: dict = {"benchmark": "dashboard_gaps_page", "render_seconds": {}}
    with live_stack(worker=False, seed_args=("--assets", "500")) as stack:
        add_user(stack, "bench@demo.local", "analyst", "Northwind Health", PASSWORD)
        flows = {size: stack.python("-c", MAKE_FLOW, str(size)).strip() for size in SIZES}
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for size, flow_id in flows.items():
                render_seconds(browser, stack, flow_id, size)  # warm the server once
                runs = [render_seconds(browser, stack, flow_id, size) for _ in range(3)]
                result["render_seconds"][str(size)] = {
                    "median": round(sorted(runs)[1], 3),
                    "runs": [round(run, 3) for run in runs],
                }
            browser.close()
        result["reads_per_progress_tick"] = json.loads(
            stack.python("-c", COUNT_TICK, flows[SIZES[0]]).strip().splitlines()[-1]
        )
    result["aim"] = {"render_seconds_at_20000": 3.0, "reads_per_tick": 1}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
