"""The 200-gap enhancement job at size, in this process: where its time goes.

Builds one engagement of N assets (import, select all, gap scan) on a scratch PostgreSQL
database as the application's role, then runs the job's body (`run_gap_enhancement_job`) on
the first 200 critical pending gaps twice: cold (the engagement's model is trained, as on a
worker's first job) and warm (the model kept, as on its next job). Per run: seconds (and
this process's CPU seconds, steadier on a shared machine), the statements that read
`collection_flows` and all statements; and one read of the flow's row, whole and without its
selection. Prints one JSON object.
    python bench/job_scale.py [--sizes 10000,30000] [--profile]
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.scale_estate import estate_database, inventory, make_engagement  # noqa: E402
from bench.scratch import DEFAULT_SERVER  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
JOB_GAPS = 200


class _Recorder:
    def __init__(self) -> None:
        self.jobs: list[dict[str, Any]] = []

    def enqueue_gap_enhancement(self, **primitives: Any) -> None:
        self.jobs.append(primitives)

    def enqueue_phase(self, **primitives: Any) -> None:
        self.jobs.append(primitives)


def one_size(assets: int, profile: bool) -> dict[str, Any]:
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker

    from config.settings import get_settings
    from core.enhancement import jobs as gap_jobs
    from core.enhancement.agents import TenantScopedAgentPool
    from core.enhancement.job_stores import job_store_for
    from core.enhancement.worker import run_gap_enhancement_job
    from core.flows.child_flow_service import CollectionChildFlowService
    from core.flows.orchestrator import create_flow
    from core.gaps.listing import selectable_gaps
    from core.inventory.importer import import_assets
    from core.inventory.listing import matching_asset_ids
    from core.kernel.dispatch import set_dispatcher
    from core.storage.unit_of_work import engagement_uow
    from db.session import create_db_engine

    figures: dict[str, Any] = {"assets": assets}
    with estate_database("postgresql", DEFAULT_SERVER) as (owner_url, app_url):
        prefix = f"bench-jobscale-{os.getpid()}:"
        os.environ.update(
            SESSION_SECRET=secrets.token_hex(32),
            GAP_JOB_PAUSE_SECONDS="0",
            REDIS_URL=REDIS_URL,
            REDIS_KEY_PREFIX=prefix,
            DATABASE_URL=app_url,
        )
        get_settings.cache_clear()
        ctx = make_engagement(owner_url)
        engine = create_db_engine(app_url)
        make_session = sessionmaker(engine, expire_on_commit=False)
        with make_session() as db, engagement_uow(ctx, db) as uow:
            import_assets(uow, inventory(assets), "estate.csv")
            asset_ids = matching_asset_ids(uow, {})
            flow_id = create_flow(uow, "Whole estate")
        with make_session() as db:
            service = CollectionChildFlowService(db, ctx)
            service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": asset_ids})
            service.execute_phase(flow_id, "gap_analysis")
        with make_session() as db, engagement_uow(ctx, db) as uow:
            chosen = selectable_gaps(
                uow, flow_id, {"priorities": [1], "statuses": ["pending"]}, limit=JOB_GAPS
            )
        figures["flow_row_read_best_of_3_s"] = flow_row_reads(make_session, ctx, flow_id)
        store = job_store_for(engine)
        flow_reads: list[str] = []
        statements: list[str] = []

        def count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
            statements.append(statement)
            if statement.lstrip().upper().startswith("SELECT") and "collection_flows" in statement:
                flow_reads.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        TenantScopedAgentPool.clear()
        for run in ("cold", "warm"):
            recorder = _Recorder()
            set_dispatcher(recorder)
            with make_session() as db:
                gap_jobs.submit_gap_analysis(db, ctx, flow_id, list(chosen.values()))
            flow_reads.clear()
            statements.clear()
            profiler = cProfile.Profile() if profile else None
            started, cpu_started = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            final = run_gap_enhancement_job(make_session, store, **recorder.jobs[0])
            if profiler:
                profiler.disable()
            seconds = time.perf_counter() - started
            figures[f"job_{run}"] = {
                "seconds": round(seconds, 3),
                # This process's CPU, which other work on a shared machine slows far less.
                "cpu_seconds": round(time.process_time() - cpu_started, 3),
                "status": None if final is None else str(final.status),
                "gaps": len(chosen),
                "statements_reading_collection_flows": len(flow_reads),
                "statements": len(statements),
            }
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                print(out.getvalue(), file=sys.stderr)
            store.delete(recorder.jobs[0]["collection_flow_id"])
            set_dispatcher(None)
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    return figures


def flow_row_reads(make_session: Any, ctx: Any, flow_id: str) -> dict[str, float]:
    """One read of the flow's row, whole (as the job read it per check before) and without its
    selection (as it reads it now), each in a fresh session; best of three."""
    from core.storage.unit_of_work import engagement_uow

    with make_session() as db, engagement_uow(ctx, db) as uow:
        collection_flow_id = uow.collection_flow_id(flow_id)
    times: dict[str, float] = {}
    for name in ("get_by_id", "get_without_selection"):
        best = float("inf")
        for _ in range(3):
            with make_session() as db, engagement_uow(ctx, db) as uow:
                started = time.perf_counter()
                found = getattr(uow.flows, name)(collection_flow_id)
                best = min(best, time.perf_counter() - started)
                assert found is not None
        times[name] = round(best, 4)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--profile", action="store_true", help="cProfile of each run to stderr")
    args = parser.parse_args()
    results = [one_size(int(size), args.profile) for size in args.sizes.split(",")]
    print(json.dumps({"sizes": results}, indent=2))


if __name__ == "__main__":
    main()
