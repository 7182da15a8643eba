"""The progress panel lives in the browser between page runs: it polls the web process's
progress route (no script runs), at the chosen interval while a job is live and the longest
while the flow has none, never while the tab is hidden, and asks for one page run when a job
starts or ends. Script runs are read from the messages the browser receives (Streamlit's
ForwardMsg protobufs); polls from the requests it sends."""

import pytest
from playwright.sync_api import expect

from bench.dashboard import MAKE_FLOW as BENCH_FLOW
from tests.dashboard.live import (
    add_user,
    open_tab,
    sign_in,
    wait_idle,
)
from tests.dashboard.procfile import JobKeyWriter

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "Refresh-Test-Password-1"
ENGAGEMENT = "Clinical Apps Wave"
# The benchmark's flow, made on this module's engagement.
MAKE_FLOW = BENCH_FLOW.replace('"Datacenter Exit 2027"', f'"{ENGAGEMENT}"')
assert MAKE_FLOW != BENCH_FLOW
HIDE = """hidden => {
  Object.defineProperty(document, "visibilityState", {value: hidden ? "hidden" : "visible",
                                                      configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


class Watched:
    """One tab's script runs (every run the server finished: page or fragment) and polls."""

    def __init__(self, page) -> None:
        self.runs = 0
        self.polls = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._received))
        page.on("request", self._requested)

    def _received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished":
                self.runs += 1

    def _requested(self, request) -> None:
        if "/_progress?" in request.url:
            self.polls += 1


@pytest.fixture(scope="module")
def stack(shared_stack):
    """The shared live stack; this module's watcher, and its flows on an engagement of their
    own (the jobs here are written straight to their job keys: no worker runs them)."""
    add_user(shared_stack, "watcher@demo.local", "analyst", "Northwind Health", PASSWORD)
    return shared_stack


def test_the_panel_follows_a_job_without_script_runs_and_never_polls_when_hidden(stack, browser):
    made = stack.script(MAKE_FLOW + "\nprint(child.id)", "10").split()
    flow_id, collection_flow_id = made[-2:]
    pages = [open_tab(browser), open_tab(browser)]
    watching = Watched(pages[0])
    for page in pages:
        sign_in(page, stack, "watcher@demo.local", PASSWORD, ENGAGEMENT, f"gaps?flow={flow_id}")
        expect(page.get_by_text("No gap job for this flow yet")).to_be_visible()
        wait_idle(page)
    page, second = pages

    # A colleague's job: the slow look (15 s) sees it and asks for one page run.
    writer = JobKeyWriter(stack, collection_flow_id, total=10)
    expect(page.get_by_test_id("jobProcessed")).to_contain_text("0 / 10")
    expect(page.get_by_test_id("jobProgress")).to_contain_text("Gap analysis running: 0%")
    wait_idle(page)

    # Progress shows by polling alone: the number moves, no script runs.
    runs, polls = watching.runs, watching.polls
    writer.processed = 3
    writer.write()
    expect(page.get_by_test_id("jobProcessed")).to_contain_text("3 / 10")
    expect(page.get_by_test_id("jobProgress")).to_contain_text("Gap analysis running: 30%")
    assert watching.runs == runs
    assert watching.polls > polls

    # Hidden: no polls while the other tab sees two writes, each by a poll of its own.
    page.evaluate(HIDE, True)
    polls = watching.polls
    for processed in (4, 5):
        writer.processed = processed
        writer.write()
        expect(second.get_by_test_id("jobProcessed")).to_contain_text(f"{processed} / 10")
    assert watching.polls == polls
    expect(page.get_by_test_id("jobProcessed")).to_contain_text("3 / 10")
    # Shown again: it polls at once.
    page.evaluate(HIDE, False)
    expect(page.get_by_test_id("jobProcessed")).to_contain_text("5 / 10")
    assert watching.runs == runs

    # The job's end: one page run, which draws the message the page run owns.
    writer.processed = 10
    writer.write(status="completed")
    expect(page.get_by_text("Analysis complete: 10 gap(s) enhanced.")).to_be_visible()
    expect(page.get_by_test_id("jobProcessed")).to_contain_text("10 / 10")
    wait_idle(page)
    assert watching.runs == runs + 1


def test_the_web_process_serves_the_progress_route_and_refuses_a_forged_pass(stack):
    import json
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.url}/_progress?token=forged", timeout=30)
    answer = refused.value
    assert answer.code == 403
    assert json.loads(answer.read()) == {"error": "forbidden"}
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
