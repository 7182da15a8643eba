"""AppTest fixtures: the app reads DATABASE_URL from settings, so point it at the test database."""

import html
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from playwright.sync_api import Browser
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest, app_test

from config.settings import get_settings
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.kernel.dispatch import set_dispatcher
from dashboard import state
from dashboard.shown_text import WORD_JOINER
from db.session import get_engine
from jobs.huey_app import make_huey
from jobs.tasks import register_tasks
from tests.dashboard.live import CHROMIUM, CHROMIUM_ARGS, LiveStack, live_stack

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
# Each gap of a job on the shared live stack takes this long, so a page can be seen following a
# running job.
GAP_PAUSE_SECONDS = "1.5"
# Holes every asset of these tests has: 3 gaps per asset (2 missing, 1 invalid).
HOLES = {"operating_system": None, "business_owner": "TBD", "environment": None}
# The Questionnaires page opened on one asset's form (it opens on the answer grid).
ONE_ASSET = {"questionnaire_view": "One asset at a time"}


@pytest.fixture(scope="session")
def backend() -> str:
    """The pages run on PostgreSQL here (production, under row-level security); core's tests
    cover SQLite. Every database fixture (application role and owner) follows this."""
    return "postgresql"


@pytest.fixture
def app_settings(database_url, monkeypatch, tmp_path) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("HUEY_SQLITE_PATH", str(tmp_path / "huey.db"))
    # What every process of a deployment on PostgreSQL must share (it signs the queue too).
    monkeypatch.setenv("SESSION_SECRET", "test-session-secret-" + "s" * 32)
    get_settings.cache_clear()
    get_engine.cache_clear()
    # Core loads the configured queue once, on its first use; other tests replace it, so each
    # test here hands core a queue on this test's settings.
    huey = make_huey(get_settings())
    set_dispatcher(register_tasks(huey))
    yield
    set_dispatcher(None)
    huey.flush()
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture
def open_page(app_settings) -> Callable[..., AppTest]:
    """An AppTest signed in with `ctx`, showing `page` (a file under dashboard/views)."""

    def open_(ctx: RequestContext, page: str, flow_id: str | None = None, **state_values):
        app = AppTest.from_file(str(APP), default_timeout=60)
        app.session_state[state.CONTEXT] = ctx
        for key, value in state_values.items():
            app.session_state[key] = value
        app.run()
        app.switch_page(f"views/{page}.py")
        if flow_id:
            app.query_params["flow"] = flow_id
        return app.run()

    return open_


@pytest.fixture
def downloaded(monkeypatch) -> Callable[[AppTest, str], bytes]:
    """The bytes a download button (by key) serves when clicked, as the browser receives them."""
    managers: list[MediaFileManager] = []

    class KeptMediaFiles(MediaFileManager):
        # AppTest drops its media files after each run; keep them to read the last run's.
        def __init__(self, storage) -> None:
            super().__init__(storage)
            self.storage = storage
            managers.append(self)

    monkeypatch.setattr(app_test, "MediaFileManager", KeptMediaFiles)

    def read(app: AppTest, key: str) -> bytes:
        [button] = [item for item in app.get("download_button") if item.key == key]
        files = managers[-1]
        deferred = button.proto.deferred_file_id  # data built on click, like the exports
        url = files.execute_deferred(deferred) if deferred else button.proto.url
        return files.storage.get_file(url.rsplit("/", 1)[-1]).content

    return read


@pytest.fixture
def flow_with_gaps(db, make_assets) -> Callable[..., str]:
    """A flow whose gap analysis ran on `count` assets with HOLES: it waits in questionnaire_generation."""

    def make(ctx: RequestContext, count: int = 3, name: str = "Wave 1") -> str:
        assets = make_assets(ctx, count, **HOLES)
        flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=name)
        service = CollectionChildFlowService(db, ctx)
        ids = [str(asset.id) for asset in assets]
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": ids})
        service.execute_phase(flow_id, "gap_analysis")
        return flow_id

    return make


# GitHub-flavoured markdown as Streamlit's elements render it (raw HTML let through, so a
# test sees any tag a body would smuggle in).
MARKDOWN = MarkdownIt("gfm-like")


def rendered(body: str) -> str:
    """The HTML that markdown makes of an element's body."""
    return MARKDOWN.render(body)


def read(body: str) -> str:
    """What a person reads in an element whose markdown body is `body`."""
    shown = html.unescape(re.sub(r"<[^>]*>", "", rendered(body))).strip()
    return shown.replace(WORD_JOINER, "")  # invisible


def texts(app: AppTest, kind: str) -> list[str]:
    """What the elements of a kind (error, info, ...) say, as read on the screen."""
    return [read(element.value) for element in getattr(app, kind)]


def no_exceptions(app: AppTest) -> None:
    assert not app.exception, [element.value for element in app.exception]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a browser test can screenshot a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def job_panel(app: AppTest) -> dict:
    """What the page run hands the job panel in the browser (its first paint, pass, interval)."""
    import json

    [panel] = [
        element.proto
        for element in app.get("bidi_component")
        if element.proto.component_name.endswith("collection_job_panel")
    ]
    return json.loads(panel.json)


@pytest.fixture(scope="session")
def shared_stack(tmp_path_factory) -> Iterator[LiveStack]:
    """One live stack for the browser modules (starting one costs a database, a seed, a web
    process and a worker): the demo seeded with 80 assets an engagement, a worker whose jobs
    take GAP_PAUSE_SECONDS a gap, and the session secret the embedded default generates.
    Each module signs in as people of its own, on an engagement or client of its own where it
    changes what others would see."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    secret = tmp_path_factory.mktemp("secret") / "session_secret"
    extra = {"GAP_JOB_PAUSE_SECONDS": GAP_PAUSE_SECONDS, "SESSION_SECRET_PATH": str(secret)}
    with live_stack(seed_args=("--assets", "80"), extra_env=extra) as running:
        yield running


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for every browser test (starting one costs seconds); each test's
    tabs open in browser contexts of their own, with cookies and storage of their own."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser(chromium: Browser) -> Iterator[Browser]:
    """The shared Chromium; the tabs a test opened are closed when it ends (an open tab would
    go on polling its web process through the next tests)."""
    yield chromium
    for context in chromium.contexts:
        context.close()
