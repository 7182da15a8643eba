"""Scaling out: two web processes and two worker processes (the Procfile's commands) on one
database and Redis serve one team. A job submitted through one web process progresses on a
page of the other: the job key, not the web process, holds the job."""

import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from bench.dashboard import MAKE_FLOW
from tests.dashboard.live import CHROMIUM, CHROMIUM_ARGS, add_user, open_tab, sign_in
from tests.dashboard.procfile import procfile_stack

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "Scaling-Out-Password-1"
ENGAGEMENT = "Datacenter Exit 2027"
GAPS = 30
# The benchmark's flow, with gaps of attributes a job may analyze (two per asset).
CRITICAL = '("business_owner", "technical_owner")[i // len(assets)]'
MAKE_CRITICAL_FLOW = MAKE_FLOW.replace('f"bench_field_{i // len(assets)}"', CRITICAL)
assert MAKE_CRITICAL_FLOW != MAKE_FLOW


def test_a_job_submitted_through_one_web_process_progresses_on_the_others_page():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # A second per gap: the job runs long enough for the other page to watch it move.
    slow_jobs = {"GAP_JOB_PAUSE_SECONDS": "1"}
    with procfile_stack(
        webs=2, workers=2, seed_args=("--assets", "20"), extra_env=slow_jobs
    ) as stack:
        add_user(stack, "submitter@demo.local", "analyst", "Northwind Health", PASSWORD)
        add_user(stack, "watcher@demo.local", "analyst", "Northwind Health", PASSWORD)
        flow_id = stack.python("-c", MAKE_CRITICAL_FLOW, str(GAPS)).split()[-1]
        gaps_page = f"gaps?flow={flow_id}"
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                watcher = open_tab(browser)
                sign_in(
                    watcher,
                    replace(stack, url=stack.urls[1]),
                    "watcher@demo.local",
                    PASSWORD,
                    ENGAGEMENT,
                    path=gaps_page,
                )
                expect(watcher.get_by_text("No gap job for this flow yet")).to_be_visible()

                submitter = open_tab(browser)
                sign_in(
                    submitter,
                    replace(stack, url=stack.urls[0]),
                    "submitter@demo.local",
                    PASSWORD,
                    ENGAGEMENT,
                    path=gaps_page,
                )
                submitter.get_by_role("button", name="Select all matching (up to 200)").click()
                submit = submitter.get_by_role("button", name=f"Analyze {GAPS} selected gaps")
                submit.click()
                enqueued = re.compile(rf"Gap analysis enqueued \({GAPS} gaps\)")
                expect(submitter.get_by_text(enqueued)).to_be_visible()

                # The other web process's page finds the job (its idle refresh, 15 s at most),
                # then follows it at the chosen interval until the end.
                panel = watcher.get_by_test_id("jobProgress")
                expect(panel).to_have_text(re.compile(r"Gap analysis running: [1-9]\d?%"))
                processed = watcher.get_by_test_id("jobProcessed")
                expect(processed).to_contain_text(re.compile(rf"[1-9]\d? / {GAPS}"))
                expect(panel).to_have_text(
                    re.compile(r"Gap analysis completed: 100%"), timeout=120_000
                )
                expect(processed).to_contain_text(f"{GAPS} / {GAPS}")
            finally:
                browser.close()
