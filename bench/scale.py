"""One engagement at size on PostgreSQL: import, asset selection, gap scan, and the reads of the
Gaps, Overview, Flow and Flows pages, at several sizes so the growth shows.

Prints one JSON object. Each size runs in its own process (its own peak memory) over its own
scratch database, read and written as the application's role so row-level security binds it;
database and role are dropped when the size ends. Page times are the server's time of the core
calls a page run makes (a fresh unit of work each, as a page run opens), not a browser's.
    python bench/scale.py [--sizes 10000,30000] [--server postgresql://postgres@127.0.0.1:5432]
"""

import argparse
import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from scratch import DEFAULT_SERVER, admin, scratch_database
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from core.enhancement.job_history import list_jobs
from core.enhancement.jobs import list_job_states
from core.flows import overview
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import create_flow
from core.flows.phase_steps import flow_steps
from core.flows.reads import get_flow, list_flows
from core.gaps.listing import page_gaps
from core.inventory.importer import import_assets
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from db.models import Asset, ClientAccount, CollectionDataGap, Engagement
from db.roles import ensure_app_role
from db.session import create_db_engine

PAGE_SIZE = 500  # the Gaps page's
READ_REPEATS = 3
HEADER = ["Server Name", "Class", "Operating System", "OS Version", "vCPU", "RAM (MB)",
          "Disk (GB)", "Environment", "Application Owner", "Support Group", "Criticality"]  # fmt: skip


def inventory(rows: int) -> bytes:
    """A CMDB export with the blanks real ones have: a value left out every few rows, some
    placeholders ("TBD", "unknown") and a few values that do not parse."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for index in range(rows):
        writer.writerow(
            [
                f"host-{index:06d}",
                ("Linux Server", "Windows Server", "Virtual Machine", "Database")[index % 4],
                ("Red Hat Enterprise Linux", "Windows Server", "", "Ubuntu", "unknown")[index % 5],
                ("8.6", "2019", "", "22.04")[index % 4],
                "" if index % 7 == 0 else 2 ** (index % 5),
                "" if index % 6 == 0 else f"{(index % 16 + 1) * 2048:,}",
                "n/a" if index % 11 == 0 else 100 + index % 900,
                ("Production", "Test", "Development", "TBD", "")[index % 5],
                "" if index % 3 == 0 else f"Owner {index % 97}",
                "" if index % 4 == 0 else f"Team {index % 13}",
                ("low", "medium", "high", "critical", "")[index % 5],
            ]
        )
    return buffer.getvalue().encode()


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def app_database(server: str) -> Iterator[tuple[str, str]]:
    """(owner URL, application URL) of a scratch database; the role is dropped afterwards."""
    role = f"bench_scale_app_{os.getpid()}"
    try:
        with scratch_database(server, "bench_scale") as owner_url:
            base, database = owner_url.rsplit("/", 1)
            app_url = f"{base.split('://')[0]}://{role}@{base.split('@', 1)[1]}/{database}"
            ensure_app_role(owner_url, app_url)
            yield owner_url, app_url
    finally:
        admin(server, f'DROP ROLE IF EXISTS "{role}"')


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def page_run(make_session, ctx, *calls: tuple[Callable[..., Any], tuple, dict]) -> list[Any]:
    """The core calls of one page run, each in its own unit of work as the dashboard makes them."""
    results = []
    for function, args, kwargs in calls:
        with make_session() as db, engagement_uow(ctx, db) as uow:
            results.append(function(uow, *args, **kwargs))
    return results


def read_times(make_session, ctx, *calls) -> dict[str, float]:
    """First run and best of READ_REPEATS runs (the machine is shared: the floor is the signal)."""
    times = [timed(lambda: page_run(make_session, ctx, *calls))[0] for _ in range(READ_REPEATS)]
    return {"first_s": round(times[0], 3), "best_s": round(min(times), 3)}


def bare_executemany(owner_url: str, collection_flow_id: Any) -> tuple[int, float]:
    """The flow's gaps written again by a plain executemany of the same rows (batches of 1000),
    as the tables' owner: the floor a scan's writes are held against."""
    columns = list(CollectionDataGap.__table__.columns.keys())
    plain_url = owner_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url) as connection:
        rows = [
            tuple(Jsonb(value) if isinstance(value, dict) else value for value in row)
            for row in connection.execute(
                f"SELECT {', '.join(columns)} FROM collection_data_gaps"
                " WHERE collection_flow_id = %s",
                (collection_flow_id,),
            )
        ]
        # The bare table: without the triggers that keep the gap counts (the scan pays them).
        connection.execute("ALTER TABLE collection_data_gaps DISABLE TRIGGER USER")
        connection.execute(
            "DELETE FROM collection_data_gaps WHERE collection_flow_id = %s", (collection_flow_id,)
        )
        connection.commit()
        statement = (
            f"INSERT INTO collection_data_gaps ({', '.join(columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})"
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 1000):
                cursor.executemany(statement, rows[start : start + 1000])
        connection.commit()
        return len(rows), time.perf_counter() - started


def one_size(assets: int, server: str) -> dict[str, Any]:
    figures: dict[str, Any] = {"assets": assets}
    with app_database(server) as (owner_url, app_url):
        owner_engine = create_db_engine(owner_url)
        with sessionmaker(owner_engine)() as db:
            client = ClientAccount(name="Bench client")
            db.add(client)
            db.flush()
            engagement = Engagement(client_account_id=client.id, name="Bench")
            db.add(engagement)
            db.commit()
            ctx = RequestContext(client.id, engagement.id, role="admin")
        owner_engine.dispose()
        engine = create_db_engine(app_url)
        make_session = sessionmaker(engine, expire_on_commit=False)

        content = inventory(assets)
        with make_session() as db, engagement_uow(ctx, db) as uow:
            seconds, report = timed(lambda: import_assets(uow, content, "estate.csv"))
        assert report.created == assets, report.as_dict()
        figures["import"] = {"seconds": round(seconds, 3), "rows_per_s": round(assets / seconds)}
        figures["peak_rss_after_import_mb"] = peak_rss_mb()

        with make_session() as db, engagement_uow(ctx, db) as uow:
            asset_ids = [str(a) for a in db.scalars(select(Asset.id).order_by(Asset.name))]
        with make_session() as db, engagement_uow(ctx, db) as uow:
            flow_id = create_flow(uow, "Whole estate")
        with make_session() as db:
            service = CollectionChildFlowService(db, ctx)
            seconds, _ = timed(
                lambda: service.execute_phase(
                    flow_id, "asset_selection", {"selected_asset_ids": asset_ids}
                )
            )
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

        first = read_times(make_session, ctx, (page_gaps, (flow_id, {}), {"limit": PAGE_SIZE}))
        page = page_run(make_session, ctx, (page_gaps, (flow_id, {}), {"limit": PAGE_SIZE}))[0]
        assert page.total == gaps and len(page.rows) == min(PAGE_SIZE, gaps)
        figures["gaps_page_first_draw"] = first
        critical = {"priorities": [1], "statuses": ["pending"]}
        figures["gaps_page_filter_change"] = read_times(
            make_session, ctx, (page_gaps, (flow_id, critical), {"limit": PAGE_SIZE})
        )
        figures["gaps_page_next_page"] = read_times(
            make_session, ctx, (page_gaps, (flow_id, {}), next_page_arguments(page))
        )
        figures["gaps_page_name_filter"] = read_times(
            make_session,
            ctx,
            (page_gaps, (flow_id, {"asset_name_contains": "host-0421"}), {"limit": PAGE_SIZE}),
        )
        figures["overview_one_engagement"] = read_times(
            make_session,
            ctx,
            (overview.flow_summaries, (), {}),
            (overview.pending_gaps_by_attribute, (), {}),
            (overview.resolution_times, (), {}),
            (overview.phase_histories, (), {}),
            (list_jobs, (), {}),
            (list_job_states, (), {}),
        )
        figures["flow_page"] = read_times(
            make_session, ctx, (get_flow, (flow_id,), {}), (flow_steps, (flow_id,), {})
        )
        figures["flows_page"] = read_times(make_session, ctx, (list_flows, (), {"limit": 1000}))

        with make_session() as db, engagement_uow(ctx, db) as uow:
            collection_flow_id = uow.flow(flow_id).id
        engine.dispose()
        written, seconds = bare_executemany(owner_url, collection_flow_id)
        assert written == gaps
        figures["gap_scan"]["bare_executemany_gaps_per_s"] = round(written / seconds)
        figures["gap_scan"]["ratio_to_bare_executemany"] = round(
            figures["gap_scan"]["gaps_per_s"] / (written / seconds), 3
        )
    figures["process_peak_rss_mb"] = peak_rss_mb()
    return figures


def next_page_arguments(page: Any) -> dict[str, Any]:
    """The second page: after the first page's last row where the listing pages by key."""
    after = getattr(page, "next_after", None)
    if after is not None:
        return {"limit": PAGE_SIZE, "after": after}
    return {"limit": PAGE_SIZE, "offset": PAGE_SIZE}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,30000")
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Stopped (a timeout, a kill): unwind, so the scratch database and role are dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.one_size:
        print(json.dumps(one_size(args.one_size, args.server)))
        return
    sizes = []
    for size in (int(value) for value in args.sizes.split(",")):
        # One process per size: its peak memory is that size's alone.
        done = subprocess.run(
            [sys.executable, __file__, "--one-size", str(size), "--server", args.server],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            sys.stderr.write(done.stderr)
            raise SystemExit(f"size {size} failed")
        sizes.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(json.dumps({"benchmark": "scale", "database": "postgresql", "sizes": sizes}, indent=1))


if __name__ == "__main__":
    main()
