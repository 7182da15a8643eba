"""Long phases on a worker, on PostgreSQL + Redis: how long a start takes to answer, whether a
page's reads wait while the worker selects and scans N assets, and how long the run takes.

Prints one JSON object. Creates and drops its own database, role and Redis keys.
    python bench/phase_runs.py [--assets 10000] [--inline-limit 2000] [--sqlite] [--read-every 0.2]
        [--resume]   (the start is an admin's Resume of the flow's failed gap scan)
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script shares a folder with a module named like the jobs package: find the package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.jobs import millis, start_consumer  # noqa: E402
from bench.scratch import scratch_deployment  # noqa: E402
from tests.processes import interrupt_on_termination, stop_group  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=10_000)
    # Phases over this many assets go to a worker (the product's INLINE_SCAN_LIMIT by default).
    parser.add_argument("--inline-limit", type=int, default=None)
    # The embedded default instead: SQLite, SqliteHuey and the job keys in the database.
    parser.add_argument("--sqlite", action="store_true")
    # Seconds between one round of reads (a progress read, then a page's) and the next.
    parser.add_argument("--read-every", type=float, default=0.2)
    # Each round also times a person's write (a new flow, in a unit of work of its own).
    parser.add_argument("--writes", action="store_true")
    # Select the assets first (inline), fail the flow in its gap scan, and time the Resume.
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    interrupt_on_termination()
    if args.sqlite:
        run_embedded(args)
        return
    with scratch_deployment("phases") as consumers:
        print(json.dumps(run(args, consumers)))


def run_embedded(args) -> None:
    import tempfile

    consumers: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="bench_phases_") as folder:
        os.environ.pop("REDIS_URL", None)
        os.environ.update(
            DATABASE_URL=f"sqlite:///{folder}/collection.db",
            HUEY_SQLITE_PATH=f"{folder}/huey.db",
            SESSION_SECRET_PATH=f"{folder}/session_secret",
            JOB_STALL_SECONDS="60",
        )
        try:
            from db.migrate import upgrade

            upgrade()
            print(json.dumps({**run(args, consumers), "database": "sqlite+sqlitehuey"}))
        finally:
            for consumer in consumers:
                stop_group(consumer)


def run(args, consumers: list) -> dict:
    from config.settings import get_settings
    from core.enhancement.phase_progress import watch_phase_run
    from core.flows import phase_runs
    from core.flows.child_flow_service import CollectionChildFlowService
    from core.flows.orchestrator import MasterFlowOrchestrator, create_flow, resume_flow
    from core.flows.phase_runs import run_phase
    from core.flows.reads import list_flows
    from core.flows.state import CollectionFlowStateService
    from core.kernel.context import RequestContext
    from core.kernel.dispatch import set_dispatcher
    from core.kernel.errors import Conflict
    from core.storage.unit_of_work import engagement_uow
    from db.demo import DemoRandom, create_assets, create_tenants
    from db.session import open_session
    from jobs.huey_app import make_huey
    from jobs.tasks import register_tasks

    set_dispatcher(register_tasks(make_huey(get_settings())))
    if args.inline_limit is not None:
        phase_runs.INLINE_SCAN_LIMIT = args.inline_limit
    with open_session() as db:
        tenant = create_tenants(db, DemoRandom(5))[0]
        db.commit()
        ctx = RequestContext(tenant.client_account_id, tenant.engagement_id, role="analyst")
        asset_ids = [
            str(asset_id) for asset_id in create_assets(db, DemoRandom(7), tenant, args.assets)
        ]
        db.commit()
        flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="bench phases")
    chosen = {"selected_asset_ids": asset_ids}
    admin = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    starter = admin if args.resume else ctx

    def start(uow):
        if args.resume:
            return resume_flow(uow, flow_id)
        return run_phase(uow, flow_id, "asset_selection", chosen, then="gap_analysis")

    if args.resume:
        with engagement_uow(admin) as uow:
            CollectionChildFlowService(uow, admin).execute_phase(flow_id, "asset_selection", chosen)
            CollectionFlowStateService(uow, admin).mark_failed(uow.flow(flow_id), "bench")
    started = time.perf_counter()
    with engagement_uow(starter) as uow:
        queued = start(uow)
    start_seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        with engagement_uow(starter) as uow:
            start(uow)
        second = "accepted"
    except Conflict:
        second = "409"
    second_seconds = time.perf_counter() - started
    with engagement_uow(ctx) as uow:
        read_run, _ = watch_phase_run(uow, flow_id)

    # While the worker runs: a progress read (the panel's poll) and a page's reads (the flows
    # list in a unit of work of its own) in a loop, each timed.
    polls: list[float] = []
    page_reads: list[float] = []
    writes: list[float] = []
    worst_by_phase: dict[str, float] = {}
    worst_write_by_phase: dict[str, float] = {}
    seen: list[tuple[float, int, int, str]] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            moment = time.perf_counter()
            progress = read_run()
            polls.append(time.perf_counter() - moment)
            if progress is not None:
                seen.append((moment, progress.run.done, progress.run.total, progress.run.phase))
                if not progress.run.status.is_active:
                    done.set()
            phase = progress.run.phase if progress is not None else "queued"
            moment = time.perf_counter()
            with engagement_uow(ctx) as uow:
                list_flows(uow)
            page_reads.append(time.perf_counter() - moment)
            worst_by_phase[phase] = max(worst_by_phase.get(phase, 0.0), page_reads[-1])
            if args.writes:
                moment = time.perf_counter()
                with engagement_uow(ctx) as uow:
                    create_flow(uow, f"written while it runs {len(writes)}")
                writes.append(time.perf_counter() - moment)
                worst_write_by_phase[phase] = max(worst_write_by_phase.get(phase, 0.0), writes[-1])
            time.sleep(args.read_every)

    if queued["mode"] != "queued":
        return {
            "benchmark": "phase_runs",
            "assets": args.assets,
            "start": "resume" if args.resume else "start",
            "mode": queued["mode"],
            "start_answer_seconds": round(start_seconds, 3),
        }
    consumers.append(start_consumer("thread"))
    run_started = time.perf_counter()
    watcher = threading.Thread(target=watch)
    watcher.start()
    watcher.join(timeout=1800)
    done.set()
    final = read_run()
    distinct_progress = sorted({(done_, phase) for _, done_, _, phase in seen})
    return {
        "benchmark": "phase_runs",
        "database": "postgresql+redis",
        "assets": args.assets,
        "start": "resume" if args.resume else "start",
        "start_answer_seconds": round(start_seconds, 3),
        "mode": queued["mode"],
        "second_start": second,
        "second_start_seconds": round(second_seconds, 3),
        "run_seconds_until_seen_ended": round(time.perf_counter() - run_started, 2),
        "final_status": str(final.run.status) if final else None,
        "failure": final.run.failure if final else None,
        "progress_values_seen": len(distinct_progress),
        "progress_poll": millis(polls),
        "page_read_while_running": millis(page_reads),
        "page_read_max_ms": round(max(page_reads, default=0.0) * 1000, 1),
        # The worst page read while the run was (last seen) in each phase.
        "page_read_max_ms_by_phase": {
            phase: round(seconds * 1000, 1) for phase, seconds in worst_by_phase.items()
        },
        **(
            {
                "write_while_running": millis(writes),
                "write_max_ms": round(max(writes) * 1000, 1),
                "write_max_ms_by_phase": {
                    phase: round(seconds * 1000, 1)
                    for phase, seconds in worst_write_by_phase.items()
                },
            }
            if writes
            else {}
        ),
        "process_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


if __name__ == "__main__":
    main()
