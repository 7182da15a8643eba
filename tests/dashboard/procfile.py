"""The Procfile's own processes on a scratch stack: `web` and `worker` run by their Procfile
commands (so the project's .streamlit/config.toml and defaults are what is measured and
tested), on a PostgreSQL database of their own through the application role, and a Redis
key prefix of their own. Several web and worker processes may share one stack."""

import contextlib
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from tests.dashboard.live import (
    ROOT,
    LiveStack,
    _wait_healthy,
    free_port,
    scratch_stack,
    start_logged,
)
from tests.processes import group_members, stop_group


def procfile_commands(path: Path = ROOT / "Procfile") -> dict[str, str]:
    lines = (line.split(":", 1) for line in path.read_text().splitlines() if ":" in line)
    return {name.strip(): command.strip() for name, command in lines}


@dataclass
class ProcfileStack(LiveStack):
    webs: list[subprocess.Popen] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    workers: list[subprocess.Popen] = field(default_factory=list)


@contextlib.contextmanager
def procfile_stack(
    *,
    webs: int = 1,
    workers: int = 1,
    seed_args: tuple[str, ...] = (),
    web_env: dict[str, str] | None = None,
    extra_env: dict[str, str] | None = None,
    database_of: LiveStack | None = None,
) -> Iterator[ProcfileStack]:
    """`webs` web and `workers` worker processes (each the leader of a process group) on one
    database and Redis prefix, all dropped or stopped when the block ends. `database_of`: see
    scratch_stack."""
    commands = procfile_commands()
    scratch = scratch_stack(
        "procfile", seed_args=seed_args, extra_env=extra_env, database_of=database_of
    )
    with scratch as (base, tag, logs):
        stack = ProcfileStack(**vars(base))
        try:
            for number in range(workers):
                stack.workers.append(
                    start_logged(
                        ["sh", "-c", commands["worker"]],
                        logs / f"procfile-worker{number}-{tag}.log",
                        {**stack.env, "WORKERS": "2", "WORKER_TYPE": "thread"},
                    )
                )
            for number in range(webs):
                port = free_port()
                stack.urls.append(f"http://127.0.0.1:{port}")
                stack.webs.append(
                    start_logged(
                        ["sh", "-c", commands["web"]],
                        logs / f"procfile-web{number}-{tag}.log",
                        {**stack.env, **(web_env or {}), "WEB_PORT": str(port)},
                    )
                )
            for url, web in zip(stack.urls, stack.webs, strict=True):
                _wait_healthy(url, web)
            stack.url = stack.urls[0]
            yield stack
        finally:
            for process in (*stack.webs, *stack.workers):
                stop_group(process)


def group_cpu_seconds(group: int) -> float:
    """User and system CPU of every process of the group, from /proc/<pid>/stat."""
    ticks = 0
    for pid in group_members(group):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def group_rss_bytes(group: int) -> int:
    pages = 0
    for pid in group_members(group):
        with contextlib.suppress(OSError):
            pages += int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


class JobKeyWriter:
    """A gap job of one flow, its key written as a worker writes it (no worker needed)."""

    def __init__(self, stack: LiveStack, collection_flow_id: str, total: int) -> None:
        from core.enhancement.job_state import JobState, JobStatus
        from core.enhancement.redis_job_store import RedisJobStore
        from core.storage.redis_connection import redis_client

        self.store = RedisJobStore(redis_client(stack.env["REDIS_URL"]), stack.redis_prefix)
        self.key, self.total, self.processed = collection_flow_id, total, 0
        self.state = JobState.queued(str(uuid.uuid4()), total, None, time.time())
        claim = self.store.claim(self.key, self.state, (), stall_seconds=3600)
        assert claim.outcome == "accepted", claim
        self.state = replace(self.state, status=JobStatus.RUNNING)
        self.written: dict[int, float] = {}  # processed -> when it was written (time.time())
        self.write()

    def write(self, status: str | None = None) -> None:
        """Write the progress `processed` (and `status`), with a fresh heartbeat."""
        self.state = replace(
            self.state,
            status=type(self.state.status)(status) if status else self.state.status,
            processed=self.processed,
            percentage=100 * self.processed / self.total,
            current_asset=f"bench-asset-{self.processed}",
            heartbeat_at=time.time(),
        )
        changed = ("status", "processed", "percentage", "current_asset", "heartbeat_at")
        assert self.store.update_if_current(self.key, self.state, changed)
        self.written[self.processed] = time.time()
