"""A first job after a quiet spell: seconds from submission until a worker runs it, on the
embedded default (SQLite + SqliteHuey, which huey_consumer polls) with the Procfile's worker
command, and with huey_consumer's own polling defaults for comparison. Prints JSON.

    python bench/first_job.py [--idle 30] [--repeat 3]
"""

import argparse
import json
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import start_consumer, tenant_with_flows  # noqa: E402
from tests.processes import interrupt_on_termination, stop_group  # noqa: E402

BIN = Path(sys.executable).parent
MISSING = ("business_owner", "environment")


def procfile_worker() -> str:
    lines = (line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines())
    return {name.strip(): command.strip() for name, command in lines}["worker"]


def without_polling_flags(command: str) -> str:
    """The worker command with huey_consumer's polling defaults (up to 10 s between polls)."""
    return re.sub(r"\s--(delay|max-delay|backoff)\s+\S+", "", command)


def prepare() -> tuple:
    """An embedded database with one tenant, its servers and flows; the dispatcher set."""
    from sqlalchemy.orm import sessionmaker

    from config.settings import get_settings
    from core.kernel.dispatch import set_dispatcher
    from db.migrate import upgrade
    from db.session import get_engine
    from jobs.huey_app import make_huey
    from jobs.tasks import register_tasks

    upgrade(os.environ["DATABASE_URL"])
    set_dispatcher(register_tasks(make_huey(get_settings())))
    make_session = sessionmaker(get_engine(), expire_on_commit=False)
    ctx, gaps, flows = tenant_with_flows(
        make_session, assets=5, missing=MISSING, flows=20, flow_name="first job"
    )
    return make_session, ctx, gaps, flows


def seconds_to_running(make_session, ctx, flow_id: str, gaps: list[dict]) -> float:
    from core.enhancement import jobs as gap_jobs
    from core.storage.unit_of_work import engagement_uow

    with make_session() as db:
        started = time.monotonic()
        gap_jobs.submit_gap_analysis(db, ctx, flow_id, gaps)
        with engagement_uow(ctx, db) as uow:
            read = gap_jobs.progress_reader(uow, flow_id)
        deadline = started + 60
        while (progress := read()) is None or progress.status == "queued":
            if time.monotonic() > deadline:
                raise RuntimeError("no worker took the job within 60 s")
            time.sleep(0.01)
        return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--idle", type=float, default=30, help="seconds the queue stays empty")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    interrupt_on_termination()  # a SIGTERM still stops the consumer
    folder = Path(tempfile.mkdtemp(prefix="bench-first-job-"))
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder / 'collection.db'}",
        HUEY_SQLITE_PATH=str(folder / "huey.db"),
        SESSION_SECRET=secrets.token_urlsafe(32),
        PYTHONPATH=str(ROOT),
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    os.environ.pop("REDIS_URL", None)
    os.environ.pop("MIGRATION_DATABASE_URL", None)
    make_session, ctx, gaps, flows = prepare()
    commands = {"procfile": procfile_worker()}
    commands["huey_defaults"] = without_polling_flags(commands["procfile"])
    result: dict = {"benchmark": "first_job", "queue": "SqliteHuey", "idle_s": args.idle}
    for name, command in commands.items():
        consumer = start_consumer(["sh", "-c", command], WORKERS="2", WORKER_TYPE="thread")
        try:
            waits = []
            for _ in range(args.repeat):
                time.sleep(args.idle)  # the consumer backs off while the queue is empty
                waits.append(round(seconds_to_running(make_session, ctx, flows.pop(), gaps), 3))
        finally:
            stop_group(consumer)
        result[name] = {"command": command, "submit_to_running_s": waits, "max_s": max(waits)}
    result["aim"] = {"submit_to_running_s": 1.0}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
