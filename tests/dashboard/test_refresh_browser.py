"""The progress panel's refresh adapts, as the server tells the browser: the chosen interval
while a job is live, the longest while the flow has none, and no refresh while the tab is
hidden. Read from the messages the browser receives (Streamlit's ForwardMsg protobufs)."""

import pytest
from playwright.sync_api import expect

from bench.dashboard import MAKE_FLOW
from tests.dashboard.live import (
    CHROMIUM,
    CHROMIUM_ARGS,
    WAIT_MS,
    add_user,
    live_stack,
    open_tab,
    sign_in,
    wait_idle,
)
from tests.dashboard.procfile import JobKeyWriter

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")
PASSWORD = "Refresh-Test-Password-1"
HIDE = """hidden => {
  Object.defineProperty(document, "visibilityState", {value: hidden ? "hidden" : "visible",
                                                      configurable: true});
  document.dispatchEvent(new Event("visibilitychange"));
}"""


class Runs:
    """The full page runs the browser was sent, each with the refresh it was told to keep."""

    def __init__(self) -> None:
        self.runs: list[float | None] = []  # per ended page run: its fragment's interval

    def received(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if not isinstance(payload, bytes):
            return
        message = ForwardMsg()
        message.ParseFromString(payload)
        kind = message.WhichOneof("type")
        if kind == "new_session" and not message.metadata.run.fragment_ids:
            self._interval: float | None = None
        elif kind == "auto_rerun":
            self._interval = message.auto_rerun.interval
        elif (
            kind == "script_finished"
            and message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        ):
            self.runs.append(self._interval)

    def next_run(self, page, after: int) -> float | None:
        """The refresh set by the first page run ending after the `after`th."""
        deadline = WAIT_MS
        while len(self.runs) <= after and deadline > 0:
            page.wait_for_timeout(50)  # Playwright's sync API delivers events while it waits
            deadline -= 50
        assert len(self.runs) > after, "no page run came"
        return self.runs[after]


@pytest.fixture(scope="module")
def stack():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    with live_stack(worker=False, seed_args=("--assets", "20")) as stack:
        add_user(stack, "watcher@demo.local", "analyst", "Northwind Health", PASSWORD)
        yield stack


def test_the_panel_refreshes_fast_while_a_job_is_live_slowly_without_and_never_when_hidden(
    stack,
):
    from playwright.sync_api import sync_playwright

    flow_id, collection_flow_id = stack.python("-c", MAKE_FLOW + "\nprint(child.id)", "10").split()[
        -2:
    ]
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = open_tab(browser)
            runs = Runs()
            page.on("websocket", lambda ws: ws.on("framereceived", runs.received))
            sign_in(
                page,
                stack,
                "watcher@demo.local",
                PASSWORD,
                "Datacenter Exit 2027",
                path=f"gaps?flow={flow_id}",
            )
            expect(page.get_by_text("No gap job for this flow yet")).to_be_visible()
            wait_idle(page)
            assert runs.runs[-1] == 15  # no job: the longest interval offered

            seen = len(runs.runs)
            writer = JobKeyWriter(stack, collection_flow_id, total=10)  # a colleague's job
            # The slow tick sees the live job and reruns the page at the chosen interval.
            assert runs.next_run(page, seen) == 2
            expect(page.get_by_text("0 / 10")).to_be_visible()

            seen = len(runs.runs)
            page.evaluate(HIDE, True)
            assert runs.next_run(page, seen) is None  # hidden: no refresh at all
            seen = len(runs.runs)
            page.evaluate(HIDE, False)
            assert runs.next_run(page, seen) == 2

            seen = len(runs.runs)
            writer.processed = 10
            writer.write(status="completed")
            # The tick that sees the job end reruns the page, which then looks slowly.
            expect(page.get_by_text("Analysis complete: 10 gap(s) enhanced.")).to_be_visible()
            assert runs.next_run(page, seen) == 15
        finally:
            browser.close()
