"""One engagement at size: import, the Assets page and "select all", asset selection, gap scan,
the Gaps page's reads, "select all matching" and a submission of 200 gaps, progress reads while
the job runs on a real worker, questionnaire generation, the Overview (one engagement and four),
Flow and Flows, and the exports of the whole flow, at several sizes so the growth shows.

Prints one JSON object. Each size runs in its own process (its own peak memory) over its own
scratch database, read and written as the application's role so row-level security binds it;
database, role and Redis keys are dropped when the size ends. `--sqlite-sizes` runs the same on
the embedded default (a SQLite file, SQL job keys; no worker, no baseline, one engagement).
Page times are the server's time of the core calls a page run makes (a fresh unit of work each,
as a page run opens), not a browser's. Each export runs in a process of its own: its peak
memory is the export's. `--pages` also times the pages on PostgreSQL as a person waits for them
in Chromium, and each page's script run on the server (bench/scale_pages.py, in a process of
its own, over the same database).
    python bench/scale.py [--sizes 10000,30000] [--sqlite-sizes 10000] [--engagements 4]
        [--pages] [--page-runs 3] [--profile-page gaps] [--explain]
"""

import argparse
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# bench/jobs.py shares its name with the jobs package: let `import jobs` find the package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.scale_estate import (  # noqa: E402
    bare_executemany,
    copy_engagement,
    estate_database,
    inventory,
    make_engagement,
    peak_rss_mb,
)
from bench.scratch import DEFAULT_SERVER  # noqa: E402

PAGE_SIZE = 500  # the Gaps page's
ASSET_PAGE = 200  # the Assets page's
READ_REPEATS = 3
EXPORTS = (("gaps", "csv"), ("questionnaires", "csv"), ("azure_migrate", "csv"),
           ("aws_migration_hub", "csv"))  # fmt: skip
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def page_run(make_session, ctx, *calls: tuple[Callable[..., Any], tuple, dict]) -> list[Any]:
    """The core calls of one page run, each in its own unit of work as the dashboard makes them."""
    from core.storage.unit_of_work import engagement_uow

    results = []
    for function, args, kwargs in calls:
        with make_session() as db, engagement_uow(ctx, db) as uow:
            results.append(function(uow, *args, **kwargs))
    return results


def read_times(make_session, ctx, *calls) -> dict[str, float]:
    """First run and best of READ_REPEATS runs (the machine is shared: the floor is the signal)."""
    times = [timed(lambda: page_run(make_session, ctx, *calls))[0] for _ in range(READ_REPEATS)]
    return {"first_s": round(times[0], 3), "best_s": round(min(times), 3)}


def overview_calls() -> tuple:
    from core.enhancement.job_history import list_jobs
    from core.enhancement.jobs import list_job_states
    from core.flows import overview

    return (
        (overview.flow_summaries, (), {}),
        (overview.pending_gaps_by_attribute, (), {}),
        (overview.resolution_times, (), {}),
        (overview.phase_histories, (), {}),
        (list_jobs, (), {}),
        (list_job_states, (), {}),
    )


def one_size(assets: int, server: str, kind: str, engagements: int, pages: dict | None) -> dict:
    figures: dict[str, Any] = {"assets": assets, "database": kind}
    with estate_database(kind, server) as (owner_url, app_url):
        prefix = f"bench-scale-{os.getpid()}:"
        os.environ.update(SESSION_SECRET=secrets.token_hex(32), GAP_JOB_PAUSE_SECONDS="0")
        if kind == "postgresql":
            os.environ.update(REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=prefix, DATABASE_URL=app_url)
        else:
            os.environ.pop("REDIS_URL", None)
            os.environ.update(DATABASE_URL=app_url, HUEY_SQLITE_PATH=f"{owner_url[10:]}.huey")
        from config.settings import get_settings

        get_settings.cache_clear()  # read again, with this size's environment
        try:
            measure(figures, assets, owner_url, app_url, kind, engagements, pages)
        finally:
            if kind == "postgresql":
                drop_redis_keys(prefix)
    figures["process_peak_rss_mb"] = peak_rss_mb()
    return figures


def measure(figures, assets, owner_url, app_url, kind, engagements, pages) -> None:
    from sqlalchemy.orm import sessionmaker

    from core.flows.child_flow_service import CollectionChildFlowService
    from core.flows.orchestrator import create_flow
    from core.flows.phase_steps import flow_steps
    from core.flows.reads import get_flow, list_flows
    from core.gaps.listing import page_gaps
    from core.inventory.importer import import_assets
    from core.inventory.listing import matching_asset_ids, page_assets
    from core.storage.unit_of_work import engagement_uow
    from db.session import create_db_engine

    ctx = make_engagement(owner_url)
    engine = create_db_engine(app_url)
    make_session = sessionmaker(engine, expire_on_commit=False)

    content = inventory(assets)
    with make_session() as db, engagement_uow(ctx, db) as uow:
        seconds, report = timed(lambda: import_assets(uow, content, "estate.csv"))
    content = b""  # let the file go before the scan
    assert report.created == assets, report.as_dict()
    figures["import"] = {"seconds": round(seconds, 3), "rows_per_s": round(assets / seconds)}
    figures["peak_rss_after_import_mb"] = peak_rss_mb()

    figures["assets_page"] = read_times(
        make_session, ctx, (page_assets, ({"name_contains": ""},), {"limit": ASSET_PAGE})
    )
    seconds, (asset_ids,) = timed(
        lambda: page_run(make_session, ctx, (matching_asset_ids, ({},), {}))
    )
    assert len(asset_ids) == assets
    figures["assets_select_all_matching"] = {"seconds": round(seconds, 3)}
    with make_session() as db, engagement_uow(ctx, db) as uow:
        flow_id = create_flow(uow, "Whole estate")
    with make_session() as db:
        service = CollectionChildFlowService(db, ctx)
        seconds, _ = timed(
            lambda: service.execute_phase(
                flow_id, "asset_selection", {"selected_asset_ids": asset_ids}
            )
        )
    asset_ids = []
    figures["asset_selection"] = {"seconds": round(seconds, 3)}

    with make_session() as db:
        service = CollectionChildFlowService(db, ctx)
        seconds, result = timed(lambda: service.execute_phase(flow_id, "gap_analysis"))
    gaps = result["gaps_persisted"]
    figures["gap_scan"] = {
        "seconds": round(seconds, 3),
        "gaps": gaps,
        "gaps_per_s": round(gaps / seconds),
    }
    figures["peak_rss_after_scan_mb"] = peak_rss_mb()

    gap_pages(figures, make_session, ctx, flow_id, gaps, page_gaps)
    if kind == "postgresql":
        figures["select_all_matching_and_submit_200"] = submit_and_watch(make_session, ctx, flow_id)

    with make_session() as db:
        service = CollectionChildFlowService(db, ctx)
        rss_before = peak_rss_mb()
        seconds, result = timed(lambda: service.execute_phase(flow_id, "questionnaire_generation"))
    figures["questionnaire_generation"] = {
        "seconds": round(seconds, 3),
        "questionnaires": result.get("questionnaires_generated"),
        "peak_rss_before_mb": rss_before,
        "peak_rss_after_mb": peak_rss_mb(),
    }

    figures["overview_one_engagement"] = read_times(make_session, ctx, *overview_calls())
    figures["flow_page"] = read_times(
        make_session, ctx, (get_flow, (flow_id,), {}), (flow_steps, (flow_id,), {})
    )
    figures["flows_page"] = read_times(make_session, ctx, (list_flows, (), {"limit": 1000}))
    figures["exports"] = {
        f"{what}.{fmt}": export_in_a_process(app_url, ctx, flow_id, what, fmt)
        for what, fmt in EXPORTS
    }
    contexts = [ctx]
    if kind == "postgresql" and engagements > 1:
        figures[f"overview_{engagements}_engagements"] = overview_of_many(
            owner_url, make_session, contexts, engagements
        )
    if kind == "postgresql" and pages is not None:
        figures["pages"] = pages_in_a_process(owner_url, app_url, contexts, flow_id, pages)

    with make_session() as db, engagement_uow(ctx, db) as uow:
        collection_flow_id = uow.flow(flow_id).id
    engine.dispose()
    if kind == "postgresql":
        written, seconds = bare_executemany(owner_url, collection_flow_id)
        assert written == gaps
        figures["gap_scan"]["bare_executemany_gaps_per_s"] = round(written / seconds)
        figures["gap_scan"]["ratio_to_bare_executemany"] = round(
            figures["gap_scan"]["gaps_per_s"] / (written / seconds), 3
        )


def gap_pages(figures, make_session, ctx, flow_id, gaps, page_gaps) -> None:
    first = read_times(make_session, ctx, (page_gaps, (flow_id, {}), {"limit": PAGE_SIZE}))
    page = page_run(make_session, ctx, (page_gaps, (flow_id, {}), {"limit": PAGE_SIZE}))[0]
    assert page.total == gaps and len(page.rows) == min(PAGE_SIZE, gaps)
    figures["gaps_page_first_draw"] = first
    critical = {"priorities": [1], "statuses": ["pending"]}
    figures["gaps_page_filter_change"] = read_times(
        make_session, ctx, (page_gaps, (flow_id, critical), {"limit": PAGE_SIZE})
    )
    figures["gaps_page_next_page"] = read_times(
        make_session,
        ctx,
        (page_gaps, (flow_id, {}), {"limit": PAGE_SIZE, "after": page.next_after}),
    )
    figures["gaps_page_name_filter"] = read_times(
        make_session,
        ctx,
        (page_gaps, (flow_id, {"asset_name_contains": "host-0421"}), {"limit": PAGE_SIZE}),
    )


def submit_and_watch(make_session, ctx, flow_id) -> dict[str, Any]:
    """ "Select all matching" (the first 200 critical pending gaps) and the submission, then the
    progress reads of the Gaps page's panel while a real consumer runs the job."""
    from config.settings import get_settings
    from core.enhancement import jobs as gap_jobs
    from core.gaps.listing import selectable_gaps
    from core.kernel.dispatch import set_dispatcher
    from jobs.huey_app import make_huey
    from jobs.tasks import register_tasks
    from tests.processes import start_group, stop_group

    get_settings.cache_clear()
    set_dispatcher(register_tasks(make_huey(get_settings())))
    critical = {"priorities": [1], "statuses": ["pending"]}
    select_seconds, (chosen,) = timed(
        lambda: page_run(make_session, ctx, (selectable_gaps, (flow_id, critical), {"limit": 200}))
    )
    with make_session() as db:
        submit_seconds, _ = timed(
            lambda: gap_jobs.submit_gap_analysis(db, ctx, flow_id, list(chosen.values()))
        )
    consumer = start_group(
        [str(Path(sys.executable).parent / "huey_consumer"), "jobs.huey_app.huey", "-w", "1"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    reads: list[float] = []
    seen: set[int] = set()
    started = time.perf_counter()
    try:
        with make_session() as db:
            while time.perf_counter() - started < 300:
                seconds, progress = timed(
                    lambda: gap_jobs.get_gap_analysis_progress(db, ctx, flow_id)
                )
                reads.append(seconds)
                seen.add(progress.get("processed", 0))
                if progress.get("status") in ("completed", "failed"):
                    break
                time.sleep(0.05)
    finally:
        stop_group(consumer)
    ordered = sorted(reads)
    return {
        "select_all_matching_s": round(select_seconds, 3),
        "selected": len(chosen),
        "submit_s": round(submit_seconds, 3),
        "job_status": progress.get("status"),
        "job_seconds_from_start_of_consumer": round(time.perf_counter() - started, 2),
        "progress_reads": len(reads),
        "progress_values_seen": len(seen),
        "progress_read_p50_ms": round(statistics.median(reads) * 1000, 2),
        "progress_read_p99_ms": round(ordered[int(0.99 * (len(ordered) - 1))] * 1000, 2),
    }


def overview_of_many(owner_url, make_session, contexts, engagements) -> dict[str, Any]:
    """The Overview with `engagements` engagements chosen: each one's calls, as the page makes
    them for each context; the others are copies of the first, added to `contexts`."""
    copy_seconds = 0.0
    for _ in range(engagements - 1):
        copied, seconds = copy_engagement(owner_url, contexts[0])
        contexts.append(copied)
        copy_seconds += seconds

    def run() -> None:
        for each in contexts:
            page_run(make_session, each, *overview_calls())

    times = [timed(run)[0] for _ in range(READ_REPEATS)]
    return {
        "first_s": round(times[0], 3),
        "best_s": round(min(times), 3),
        "copying_the_others_s": round(copy_seconds, 1),
    }


def pages_in_a_process(owner_url, app_url, contexts, flow_id, pages: dict) -> dict[str, Any]:
    arguments = {
        "owner_url": owner_url,
        "app_url": app_url,
        "client": str(contexts[0].client_account_id),
        "engagements": [str(each.engagement_id) for each in contexts],
        "flow": flow_id,
        **pages,
    }
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "scale_pages.py"), json.dumps(arguments)],
        capture_output=True, text=True, check=False, env={**os.environ},
    )  # fmt: skip
    if done.stderr.strip():
        sys.stderr.write(done.stderr)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-3:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_in_a_process(app_url, ctx, flow_id, what, fmt) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--export", app_url, str(ctx.client_account_id),
         str(ctx.engagement_id), flow_id, what, fmt],
        capture_output=True, text=True, check=False, env={**os.environ},
    )  # fmt: skip
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_once(app_url, client_id, engagement_id, flow_id, what, fmt) -> dict[str, Any]:
    import uuid

    from sqlalchemy.orm import sessionmaker

    from core.inventory.export import export_flow_to
    from core.kernel.context import RequestContext
    from core.storage.unit_of_work import engagement_uow
    from db.session import create_db_engine

    ctx = RequestContext(uuid.UUID(client_id), uuid.UUID(engagement_id), role="admin")
    make_session = sessionmaker(create_db_engine(app_url), expire_on_commit=False)
    with tempfile.TemporaryDirectory() as folder, Path(folder, "export").open("wb") as target:
        with make_session() as db, engagement_uow(ctx, db) as uow:
            seconds, _ = timed(lambda: export_flow_to(uow, flow_id, what, fmt, target))
        size = target.tell()
    return {
        "seconds": round(seconds, 2),
        "mb": round(size / 2**20, 1),
        "peak_rss_mb": peak_rss_mb(),
    }


def drop_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    keys += list(client.scan_iter(match=f"huey.*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def run_size(size: int, kind: str, args) -> dict[str, Any]:
    # One process per size: its peak memory is that size's alone.
    done = subprocess.run(
        [sys.executable, __file__, "--one-size", str(size), "--kind", kind, "--server",
         args.server, "--engagements", str(args.engagements),
         *(["--pages", "--page-runs", str(args.page_runs)] if args.pages else []),
         *(["--profile-page", args.profile_page] if args.profile_page else []),
         *(["--explain"] if args.explain else [])],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.stderr.strip():
        sys.stderr.write(done.stderr)  # a page's profile, a failed size's traceback
    if done.returncode:
        raise SystemExit(f"size {size} on {kind} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--sqlite-sizes", default="10000")
    parser.add_argument("--engagements", type=int, default=4, help="the Overview's, PostgreSQL")
    parser.add_argument("--pages", action="store_true", help="pages in Chromium, PostgreSQL")
    parser.add_argument("--page-runs", type=int, default=3, help="timed runs of each page")
    parser.add_argument("--profile-page", help="cProfile this page's run to stderr (gaps, ...)")
    parser.add_argument("--explain", action="store_true", help="plans of the pages' slowest")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="postgresql", help=argparse.SUPPRESS)
    parser.add_argument("--export", nargs=6, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Stopped (a timeout, a kill): unwind, so the scratch database and role are dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.export:
        print(json.dumps(export_once(*args.export)))
        return
    if args.one_size:
        pages = None
        if args.pages:
            pages = {"runs": args.page_runs, "profile": args.profile_page, "explain": args.explain}
        print(json.dumps(one_size(args.one_size, args.server, args.kind, args.engagements, pages)))
        return
    sizes = [run_size(int(size), "postgresql", args) for size in args.sizes.split(",") if size]
    sizes += [run_size(int(size), "sqlite", args) for size in args.sqlite_sizes.split(",") if size]
    print(json.dumps({"benchmark": "scale", "sizes": sizes}, indent=1))


if __name__ == "__main__":
    main()
