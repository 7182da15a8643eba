"""Scaling out: two web processes and two worker processes (the Procfile's commands) on one
database and Redis serve one team. A job submitted through one web process progresses on a
page of the other: the job key, not the web process, holds the job."""

import re
from dataclasses import replace

import pytest
from playwright.sync_api import expect

from bench.dashboard import MAKE_FLOW
from tests.dashboard.live import add_user, open_tab, sign_in
from tests.dashboard.procfile import procfile_stack

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "Scaling-Out-Password-1"
CLIENT, ENGAGEMENT = "Contoso Retail", "ERP Modernization"  # no other browser module's
GAPS = 30
# The benchmark's flow on this module's engagement, with gaps of an attribute a job may
# analyze (one per asset: the shared stack's engagements have 80 assets).
CRITICAL = '("business_owner", "technical_owner")[i // len(assets)]'
MAKE_CRITICAL_FLOW = MAKE_FLOW.replace('f"bench_field_{i // len(assets)}"', CRITICAL).replace(
    '"Datacenter Exit 2027"', f'"{ENGAGEMENT}"'
)
assert MAKE_CRITICAL_FLOW.count(ENGAGEMENT) == 1 and CRITICAL in MAKE_CRITICAL_FLOW


def test_a_job_submitted_through_one_web_process_progresses_on_the_others_page(
    shared_stack, browser
):
    # The Procfile's processes work on the shared stack's database (its demo data and people)
    # with a Redis key prefix of their own: the shared stack's worker never sees their job.
    # A second per gap: the job runs long enough for the other page to watch it move.
    slow_jobs = {"GAP_JOB_PAUSE_SECONDS": "1"}
    with procfile_stack(webs=2, workers=2, extra_env=slow_jobs, database_of=shared_stack) as stack:
        add_user(stack, "submitter@contoso.example", "analyst", CLIENT, PASSWORD)
        add_user(stack, "watcher@contoso.example", "analyst", CLIENT, PASSWORD)
        flow_id = stack.script(MAKE_CRITICAL_FLOW, str(GAPS)).split()[-1]
        gaps_page = f"gaps?flow={flow_id}"
        watcher = open_tab(browser)
        sign_in(
            watcher,
            replace(stack, url=stack.urls[1]),
            "watcher@contoso.example",
            PASSWORD,
            ENGAGEMENT,
            path=gaps_page,
        )
        expect(watcher.get_by_text("No gap job for this flow yet")).to_be_visible()

        submitter = open_tab(browser)
        sign_in(
            submitter,
            replace(stack, url=stack.urls[0]),
            "submitter@contoso.example",
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
        expect(panel).to_have_text(re.compile(r"Gap analysis completed: 100%"), timeout=120_000)
        expect(processed).to_contain_text(f"{GAPS} / {GAPS}")
