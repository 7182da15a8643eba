"""A live stack for browser tests and the benchmark: PostgreSQL database, Redis prefix,
`streamlit run` and `huey_consumer` subprocesses importing this checkout."""

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("TEST_REDIS_SERVER", "redis://127.0.0.1:6379/0")
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
    database_url: str
    env: dict[str, str]

    def python(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise RuntimeError(f"{args} failed: {done.stderr[-2000:]}")
        return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_admin(statement: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer,
        ):
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def live_stack(*, worker: bool = True, seed_args: tuple[str, ...] = ()) -> Iterator[LiveStack]:
    """Its own database (created, seeded, dropped) and Redis key prefix (deleted at the end)."""
    tag = f"{os.getpid()}_{secrets.token_hex(3)}"
    database = f"collection_live_{tag}"
    prefix = f"collection-live-{tag}:"
    _pg_admin(f'CREATE DATABASE "{database}"')
    database_url = f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{database}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_SERVER,
        "REDIS_KEY_PREFIX": prefix,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stack = LiveStack(url, database_url, env)
    processes: list[subprocess.Popen] = []
    logs = ROOT / "var" / "live"
    logs.mkdir(parents=True, exist_ok=True)
    try:
        stack.python("-m", "db", "seed", "--demo", *seed_args)
        if worker:
            processes.append(
                subprocess.Popen(
                    [str(BIN / "huey_consumer"), "jobs.huey_app.huey", "-w", "2", "-k", "thread"],
                    cwd=ROOT,
                    env=env,
                    stdout=open(logs / f"worker-{tag}.log", "w"),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
            ],
            cwd=ROOT,
            env=env,
            stdout=open(logs / f"web-{tag}.log", "w"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        processes.append(web)
        _wait_healthy(url, web)
        yield stack
    finally:
        for process in processes:
            _stop(process)
        client = redis.Redis.from_url(REDIS_SERVER)
        keys = list(client.scan_iter(f"{prefix}*"))
        if keys:
            client.delete(*keys)
        _pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def add_user(stack: LiveStack, email: str, role: str, client: str, password: str) -> None:
    stack.python(
        "-m", "db", "users", "add", email, "--role", role, "--client", client, stdin=password + "\n"
    )


def sign_in(page, stack: LiveStack, email: str, password: str, engagement: str | None = None):
    page.goto(stack.url)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Open engagement").wait_for(timeout=30_000)
    if engagement:
        page.get_by_label("Engagement").click()
        page.get_by_role("option", name=engagement).click()
    page.get_by_role("button", name="Open engagement").click()
    page.get_by_text("Signed in as").wait_for(timeout=30_000)


def click_table_rows(page, table_index: int, rows: list[int], row_height: int = 35) -> None:
    """Tick rows of a st.dataframe (a glide data grid on a canvas) by their row-marker cells."""
    grid = page.locator('[data-testid="stDataFrame"]').nth(table_index)
    grid.wait_for()
    box = grid.bounding_box()
    for row in rows:
        # The first column is the row-marker checkbox; the header takes one row height.
        page.mouse.click(box["x"] + 18, box["y"] + row_height * (row + 1) + row_height / 2)
        page.wait_for_timeout(400)
