"""Sending requests to, and reminding, many owners: one asset and one owner each, open
questions on every asset, mailed through a real SMTP server on loopback (aiosmtpd, in a process
of its own, so that it does not share this one's interpreter lock) by the same code the workers
run (a task per 200 mails, one SMTP connection each), in this process.

Send is timed as the page has it done: the start (the web request: checks, the send run's key,
the queue message), then the send run as a worker runs it (owners prepared, their mails queued).

Prints one JSON object. Creates and drops its own database.
    python bench/requests.py [--owners 10000] [--server postgresql://postgres@127.0.0.1:5432]
"""

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from scratch import DEFAULT_SERVER, scratch_database
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

SECRET = "bench-session-secret-" + "s" * 32


@contextmanager
def relay_on(port: int) -> Iterator[None]:
    """aiosmtpd's Sink (accepts every mail, keeps none) in a process group of its own."""
    command = [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink"]
    process = subprocess.Popen(
        [*command, "-l", f"127.0.0.1:{port}"], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)


class CollectingQueue:
    """Stands in for Huey's queue: the tasks are run afterwards, as a worker would run them."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []
        self.runs: list[dict[str, Any]] = []

    def enqueue_phase(self, **primitives: Any) -> None:
        self.runs.append(primitives)

    def enqueue_owner_mail(self, **primitives: Any) -> None:
        self.tasks.append(primitives)

    def enqueue_escalation(self, **primitives: Any) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def make_flow(url: str, owners: int) -> tuple[Any, str]:
    from core.flows.child_flow_service import CollectionChildFlowService
    from core.flows.orchestrator import MasterFlowOrchestrator
    from core.kernel.context import RequestContext
    from db.models import Asset, ClientAccount, Engagement
    from db.session import bind_tenant, create_db_engine

    engine = create_db_engine(url)
    with sessionmaker(engine, expire_on_commit=False)() as db:
        client = ClientAccount(name="Bench")
        db.add(client)
        db.flush()
        engagement = Engagement(client_account_id=client.id, name="Owners")
        db.add(engagement)
        db.commit()
        ctx = RequestContext(client.id, engagement.id, role="admin")
        bind_tenant(db, client.id, engagement.id)
        assets = [
            Asset(
                client_account_id=client.id,
                engagement_id=engagement.id,
                name=f"srv-{index:05d}",
                asset_type="server",
                operating_system="Linux",
                os_version="8",
                cpu_cores=4,
                memory_gb=16.0,
                storage_gb=100.0,
                environment="production",
                business_criticality="high",
                technical_owner=f"Owner {index} <owner{index}@bench.example>",
                business_owner=f"owner{index}@bench.example",
                custom_attributes={"network_zone": "internal", "virtualization_platform": "vmware"},
            )  # fmt: skip
            for index in range(owners)
        ]
        db.add_all(assets)
        db.commit()
        flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Bench owners")
        service = CollectionChildFlowService(db, ctx)
        ids = [str(asset.id) for asset in assets]
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": ids})
        service.execute_phase(flow_id, "gap_analysis")
        service.execute_phase(flow_id, "questionnaire_generation")
    engine.dispose()
    return ctx, flow_id


def send(ctx: Any, flow_id: str, queue: CollectingQueue) -> tuple[float, float, str]:
    """Send as the page does: the start's seconds, the send run's seconds, how the run ended."""
    from core.requests.send_runs import run_queued_send, start_send
    from core.storage.unit_of_work import engagement_uow

    started = time.perf_counter()
    with engagement_uow(ctx) as uow:
        start_send(uow, flow_id)
    start_seconds = time.perf_counter() - started
    task = queue.runs.pop()
    started = time.perf_counter()
    ended = run_queued_send(
        **{key: value for key, value in task.items() if key not in ("phase_name", "user_id")}
    )
    return start_seconds, time.perf_counter() - started, ended


def summary(ctx: Any, flow_id: str) -> Any:
    """What the flow's last send run did."""
    from core.requests.send_runs import send_store, summary_of
    from core.storage.unit_of_work import engagement_uow
    from db.session import get_engine

    with engagement_uow(ctx) as uow:
        key = str(uow.flow(flow_id).id)
    return summary_of(send_store(get_engine()).get(key))


def deliver(queue: CollectingQueue) -> tuple[int, float]:
    """Run the queued tasks as a worker would; mails the relay accepted, and the seconds."""
    from core.requests.delivery import deliver_request_mails

    started, sent = time.perf_counter(), 0
    for task in queue.tasks:
        sent += deliver_request_mails(**task, final_attempt=True).sent
    queue.tasks.clear()
    return sent, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()
    port = free_port()
    with relay_on(port), scratch_database(args.server, "bench_requests") as url:
        os.environ.update(
            DATABASE_URL=url, SESSION_SECRET=SECRET, SMTP_HOST="127.0.0.1",
            SMTP_PORT=str(port), PUBLIC_URL="https://collect.example.org",
        )  # fmt: skip
        os.environ.pop("REDIS_URL", None)
        figures = run(url, args.owners)
        from db.session import get_engine

        get_engine().dispose()
    print(json.dumps(figures))


def run(url: str, owners: int) -> dict[str, Any]:
    from core.kernel.dispatch import set_dispatcher
    from core.requests.reminders import remind_owners
    from core.storage.unit_of_work import engagement_uow
    from db.models import OwnerRequest
    from db.session import create_db_engine
    from db.types import utcnow

    ctx, flow_id = make_flow(url, owners)
    queue = CollectingQueue()
    set_dispatcher(queue)  # type: ignore[arg-type]
    tracemalloc.start()
    start_seconds, send_seconds, ended = send(ctx, flow_id, queue)
    sent = summary(ctx, flow_id)
    _, send_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    tasks = len(queue.tasks)
    mailed, delivery_seconds = deliver(queue)
    _, delivery_peak = tracemalloc.get_traced_memory()
    again_start_seconds, resend_check_seconds, _ = send(ctx, flow_id, queue)
    again = summary(ctx, flow_id)
    engine = create_db_engine(url)
    with engine.begin() as connection:  # three days pass
        connection.execute(update(OwnerRequest).values(last_mailed_at=utcnow() - timedelta(days=3)))
    engine.dispose()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    with engagement_uow(ctx) as uow:
        reminded = remind_owners(uow)
    remind_seconds = time.perf_counter() - started
    reminders, reminder_delivery_seconds = deliver(queue)
    _, remind_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "benchmark": "requests",
        "database": "postgresql",
        "owners": owners,
        "send_run_ended": ended,
        "owners_mailed": sent.owners_mailed,
        "mails_accepted": mailed,
        "tasks": tasks,
        "send_start_seconds": round(start_seconds, 3),  # the web request
        "send_seconds": round(send_seconds, 2),  # the send run, on a worker
        "delivery_seconds": round(delivery_seconds, 2),
        "mails_per_second": round(mailed / delivery_seconds, 1) if delivery_seconds else None,
        "send_again_start_seconds": round(again_start_seconds, 3),
        "send_again_seconds": round(resend_check_seconds, 2),
        "send_again_mailed": again.owners_mailed,
        "reminded": reminded.reminded,
        "reminders_accepted": reminders,
        "remind_seconds": round(remind_seconds, 2),
        "reminder_delivery_seconds": round(reminder_delivery_seconds, 2),
        "reminders_per_second": round(reminders / reminder_delivery_seconds, 1)
        if reminder_delivery_seconds
        else None,
        "send_peak_traced_mb": round(send_peak / 2**20, 1),
        "delivery_peak_traced_mb": round(delivery_peak / 2**20, 1),
        "remind_peak_traced_mb": round(remind_peak / 2**20, 1),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),  # the machine is shared
    }


if __name__ == "__main__":
    main()
