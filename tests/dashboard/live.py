"""A live stack for browser tests and the benchmark: PostgreSQL database, Redis prefix,
`streamlit run` and `huey_consumer` subprocesses importing this checkout."""

import contextlib
import io
import os
import re
import secrets
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.processes import run_in_group, start_group, stop_group

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("TEST_REDIS_SERVER", "redis://127.0.0.1:6379/0")
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# What a page may take to show what it should, on a machine twice as slow as a developer's and
# busy with other work: every browser action and expectation here waits up to this long.
WAIT_MS = 60_000
expect.set_options(timeout=WAIT_MS)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class LiveStack:
    url: str
    database_url: str  # the application's role, bound by row-level security
    owner_url: str  # the tables' owner (migrations; checks that read every tenant)
    env: dict[str, str]
    redis_prefix: str

    def python(self, *args: str, stdin: str | None = None, as_owner: bool = False) -> str:
        env = {**self.env, "DATABASE_URL": self.owner_url} if as_owner else self.env
        done = run_in_group([sys.executable, *args], cwd=ROOT, env=env, stdin=stdin, timeout=600)
        if done.returncode:
            raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
        return done.stdout

    def command(self, *args: str, stdin: str = "") -> str:
        """`python -m db *args` on this stack, as an operator types it, run in this process
        (the command line's own `main`, on the stack's database and settings): a second
        Python importing everything again costs seconds."""
        from tests.db.cli import run_cli

        done = run_cli(*args, database_url=self.database_url, stdin=stdin, env=self._own_env())
        if done.returncode:
            raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
        return done.stdout

    def script(self, code: str, *argv: str) -> str:
        """What `python -c code argv...` prints on this stack, run in this process (its
        settings and engine read afresh from the stack's environment, then put back)."""
        from tests.db.cli import command_environment

        printed, saved = io.StringIO(), sys.argv
        with (
            command_environment(DATABASE_URL=self.database_url, **self._own_env()),
            contextlib.redirect_stdout(printed),
        ):
            sys.argv = ["-c", *argv]
            try:
                exec(compile(code, "<script>", "exec"), {"__name__": "__main__"})
            finally:
                sys.argv = saved
        return printed.getvalue()

    def _own_env(self) -> dict[str, str]:
        """What this stack's processes see that this process does not (but the database)."""
        return {
            name: value
            for name, value in self.env.items()
            if os.environ.get(name) != value and name not in ("DATABASE_URL", "PATH")
        }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# A stack served over HTTPS has a certificate of its own making, on this machine's loopback.
LOOPBACK_TLS = ssl.create_default_context()
LOOPBACK_TLS.check_hostname = False
LOOPBACK_TLS.verify_mode = ssl.CERT_NONE


def _pg_admin(statement: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(
                f"{url}/_stcore/health", timeout=2, context=LOOPBACK_TLS
            ) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


@contextlib.contextmanager
def scratch_stack(
    kind: str,
    *,
    seed: bool = True,
    seed_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    database_of: LiveStack | None = None,
) -> Iterator[tuple[LiveStack, str, Path]]:
    """A database of its own (created, migrated by the owner, seeded unless `seed` is False,
    dropped), its own application role (row-level security binds it; dropped) and Redis key
    prefix (keys deleted at the end). Yields the stack without a web address yet, the run's
    tag and the folder for its processes' logs.

    With `database_of`, the stack works on that running stack's database (its people, its
    session secret) and keeps only its Redis key prefix and `extra_env` of its own: its
    processes queue and follow jobs apart from the other stack's."""
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    if database_of is not None:
        logs = ROOT / "var" / "live"
        logs.mkdir(parents=True, exist_ok=True)
        with _own_prefix(database_of, kind, tag, extra_env) as stack:
            yield stack, tag, logs
        return
    database, role = f"collection_{kind}_{tag}", f"collection_{kind}_app_{tag}"
    prefix = f"collection-{kind}-{tag}:"
    server = PG_SERVER.replace("postgresql://", "postgresql+psycopg://")
    owner_url = f"{server}/{database}"
    database_url = f"{server.split('://')[0]}://{role}@{server.split('@', 1)[1]}/{database}"
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "DATABASE_URL": database_url,
        "MIGRATION_DATABASE_URL": owner_url,
        "REDIS_URL": REDIS_SERVER,
        "REDIS_KEY_PREFIX": prefix,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
        # Shared by the stack's web and worker processes, as production's must be.
        "SESSION_SECRET": secrets.token_urlsafe(32),
        **(extra_env or {}),
    }
    logs = ROOT / "var" / "live"
    logs.mkdir(parents=True, exist_ok=True)
    stack = LiveStack("", database_url, owner_url, env, prefix)
    _pg_admin(f'CREATE DATABASE "{database}"')
    try:
        # Migrates as the owner, creates the application role, then seeds through it.
        stack.command(*(("seed", "--demo", *seed_args) if seed else ("upgrade",)))
        yield stack, tag, logs
    finally:
        _forget_prefix(prefix)
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        _pg_admin(f'DROP ROLE IF EXISTS "{role}"')


def _forget_prefix(prefix: str) -> None:
    client = redis.Redis.from_url(REDIS_SERVER)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)


@contextlib.contextmanager
def _own_prefix(
    running: LiveStack, kind: str, tag: str, extra_env: dict[str, str] | None
) -> Iterator[LiveStack]:
    prefix = f"collection-{kind}-{tag}:"
    env = {**running.env, "REDIS_KEY_PREFIX": prefix, **(extra_env or {})}
    try:
        yield LiveStack("", running.database_url, running.owner_url, env, prefix)
    finally:
        _forget_prefix(prefix)


def start_logged(command: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen:
    """`command` run from the repository root as a process group of its own, its output (both
    streams) in `log`."""
    with open(log, "w") as output:  # the child keeps its own descriptor
        return start_group(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


@contextlib.contextmanager
def live_stack(
    *,
    worker: bool = True,
    seed_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    seed: bool = True,
    tls: tuple[Path, Path] | None = None,
    database_of: LiveStack | None = None,
) -> Iterator[LiveStack]:
    """`streamlit run` and (unless `worker` is False) a `huey_consumer` on a scratch stack;
    with `tls` (certificate and key files), the web serves HTTPS. `database_of`: see
    scratch_stack."""
    scratch = scratch_stack(
        "live", seed=seed, seed_args=seed_args, extra_env=extra_env, database_of=database_of
    )
    with scratch as (stack, tag, logs):
        port = free_port()
        stack.url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        served_over = []
        if tls:
            served_over = ["--server.sslCertFile", str(tls[0]), "--server.sslKeyFile", str(tls[1])]
        processes: list[subprocess.Popen] = []
        try:
            if worker:
                consumer = [
                    str(BIN / "huey_consumer"),
                    "jobs.huey_app.huey",
                    "-w",
                    "2",
                    "-k",
                    "thread",
                ]
                processes.append(start_logged(consumer, logs / f"worker-{tag}.log", stack.env))
            web = start_logged(
                [
                    sys.executable,
                    "-m",
                    "streamlit",
                    "run",
                    "dashboard/server.py",
                    "--server.port",
                    str(port),
                    "--server.headless",
                    "true",
                    "--browser.gatherUsageStats",
                    "false",
                    "--server.fileWatcherType",
                    "none",
                    *served_over,
                ],
                logs / f"web-{tag}.log",
                stack.env,
            )
            processes.append(web)
            _wait_healthy(stack.url, web)
            yield stack
        finally:
            for process in processes:
                stop_group(process)


def add_user(stack: LiveStack, email: str, role: str, client: str, password: str) -> None:
    stack.command("users", "add", email, "--role", role, "--client", client, stdin=password + "\n")


def open_tab(browser: Browser, width: int = 1440, height: int = 1000) -> Page:
    """A fresh browser session's tab, whose every action and navigation waits up to WAIT_MS."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    return context.new_page()


# A failed browser test leaves what the browser showed here, next to the servers' logs.
FAILURES = ROOT / "var" / "live"
# Screenshots for README with UPDATE_SCREENSHOTS=1, else beside the failures.
SHOTS = ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "var") / "screenshots"


@contextlib.contextmanager
def tab_kept_on_failure(request: Any, browser: Browser, **size: int) -> Iterator[Page]:
    """`open_tab`, screenshotted into FAILURES when the test that used it failed."""
    tab = open_tab(browser, **size)
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        FAILURES.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(FAILURES / f"{request.node.name}.png"), full_page=True)


def query(stack: "LiveStack", sql: str, **params: object) -> list[Any]:
    """Read as the tables' owner (sees every tenant), to check what the pages did."""
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.owner_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql), params).all())
    finally:
        engine.dispose()


def sign_in(
    page: Page,
    stack: LiveStack,
    email: str,
    password: str,
    engagement: str | None = None,
    path: str = "",
) -> None:
    """Open `path` (any page's address leads to the form) and sign in; that page opens."""
    page.goto(f"{stack.url}/{path}")
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Open engagement")).to_be_visible()
    if engagement:
        # The option reads "client / engagement (role)".
        choose(page, "Engagement", engagement, exact=False)
    # As a person would: press once the page is still (signing in reruns it as the session
    # cookie is written).
    wait_idle(page)
    page.get_by_role("button", name="Open engagement").click()
    expect(page.get_by_text("Signed in as")).to_be_visible()


def choose(page: Page, label: str, option: str, *, exact: bool = True) -> None:
    """Pick `option` in the select box `label`, as a person would: open the list and click the
    option, and do it again if a rerun closed the list or dropped the choice meanwhile.
    `exact=False`: the option's text contains `option`."""
    box = page.get_by_role("combobox", name=label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=exact)
    shows = option if exact else re.compile(re.escape(option))
    for _ in range(5):
        wait_idle(page)  # a rerun closes the list as it opens
        if not wanted.is_visible():
            box.click()
        try:
            wanted.click(timeout=10_000)
            expect(box).to_have_value(shows, timeout=10_000)
            return
        except (PlaywrightTimeoutError, AssertionError):
            continue
    expect(box).to_have_value(shows)


# The element's top-left corner once it has stayed in place over three animation frames.
STEADY_POSITION = """
async (element) => {
  const corner = () => {
    const rect = element.getBoundingClientRect();
    return { x: rect.x, y: rect.y };
  };
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  let last = corner();
  for (let same = 0; same < 3; ) {
    await frame();
    const now = corner();
    same = now.x === last.x && now.y === last.y ? same + 1 : 0;
    last = now;
  }
  return last;
}
"""


def click_table_rows(
    page: Page,
    table_index: int,
    rows: list[int],
    settled: Callable[[int], None] | None = None,
    row_height: int = 35,
) -> None:
    """Tick rows of a st.dataframe (a glide data grid on a canvas) by their row-marker cells.

    Each tick reruns the script; `settled(count)` waits until the page shows `count` ticks.
    A click lands only on a page whose run has ended, where the grid is not being redrawn.
    """
    grid = page.get_by_test_id("stDataFrame").nth(table_index)
    expect(grid).to_be_visible()
    for count, row in enumerate(rows, start=1):
        wait_idle(page)
        # Measured again, once it stays put: a run's elements above it (the job panel, a
        # message) may still be mounting after the run ended, and move the grid meanwhile.
        box = grid.evaluate(STEADY_POSITION)
        # The first column is the row-marker checkbox; the header takes one row height.
        page.mouse.click(box["x"] + 18, box["y"] + row_height * (row + 1) + row_height / 2)
        if settled is not None:
            settled(count)
    wait_idle(page)


def wait_idle(page: Page, timeout_ms: int = WAIT_MS) -> None:
    """Wait until no script run is going on, as a person waits for "Running…" to go away:
    Streamlit marks the state of runs on its root element (its own browser tests wait so)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute(
        "data-test-script-state", "notRunning", timeout=timeout_ms
    )
