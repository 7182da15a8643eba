"""Gap-analysis phase on PostgreSQL against a bare executemany upsert of the same rows.

Prints one JSON object. Creates and drops its own database.
    python bench/gap_scan.py [--assets 10000] [--server postgresql://postgres@127.0.0.1:5432]
"""

import argparse
import json
import resource
import time
import uuid

from scratch import DEFAULT_SERVER, scratch_database
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import sessionmaker

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.scan import gaps_of_asset
from core.gaps.store import GAP_IDENTITY
from core.kernel.context import RequestContext
from db.demo import DemoRandom, create_assets, create_tenants
from db.models import Asset, CollectionDataGap
from db.session import create_db_engine
from db.types import utcnow


def bare_upsert(engine, rows: list[dict]) -> float:
    statement = insert(CollectionDataGap)
    statement = statement.on_conflict_do_update(
        index_elements=list(GAP_IDENTITY),
        set_={key: statement.excluded[key] for key in rows[0] if key not in GAP_IDENTITY},
    )
    started = time.perf_counter()
    with engine.begin() as connection:
        for start in range(0, len(rows), 1000):
            connection.execute(statement, rows[start : start + 1000])
    return time.perf_counter() - started


def scan_once(db, ctx, asset_ids, attempt: int, scan_times: list[float]):
    """One gap-analysis phase of a new flow over all assets; returns gaps written and the rows."""
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=f"bench {attempt}")
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a) for a in asset_ids]}
    )
    started = time.perf_counter()
    result = service.execute_phase(flow_id, "gap_analysis")
    scan_times.append(time.perf_counter() - started)
    # The same rows, computed outside the clock, for the bare executemany upsert.
    child = service.get_by_master_flow_id(flow_id)
    now = utcnow()
    rows = [
        {
            **row,
            "id": uuid.uuid4(),
            "collection_flow_id": child.id,
            "created_at": now,
            "updated_at": now,
        }
        for asset in db.scalars(select(Asset))
        for row in gaps_of_asset(asset)
    ]
    assert len(rows) == result["gaps_persisted"]
    return result["gaps_persisted"], rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--server",
        default=DEFAULT_SERVER,
    )
    args = parser.parse_args()
    with scratch_database(args.server, "bench_gap_scan") as url:
        engine = create_db_engine(url)
        make_session = sessionmaker(engine, expire_on_commit=False)
        rng = DemoRandom(11)
        with make_session() as db:
            tenant = create_tenants(db, rng)[0]
            asset_ids = create_assets(db, rng, tenant, args.assets)
            db.commit()
            ctx = RequestContext(tenant.client_account_id, tenant.engagement_id)
            scan_times, baseline_times = [], []
            for attempt in range(args.repeat):
                written, rows = scan_once(db, ctx, asset_ids, attempt, scan_times)
                db.execute(delete(CollectionDataGap))
                db.commit()
                baseline_times.append(bare_upsert(engine, rows))
                db.execute(delete(CollectionDataGap))
                db.commit()
        engine.dispose()
        # Best of the repeats for both sides: the machine is shared, the floor is the signal.
        scan_seconds, baseline_seconds = min(scan_times), min(baseline_times)
        scan_rate = written / scan_seconds
        baseline_rate = len(rows) / baseline_seconds
        print(
            json.dumps(
                {
                    "benchmark": "gap_scan",
                    "database": "postgresql",
                    "assets": args.assets,
                    "gaps_written": written,
                    "repeats": args.repeat,
                    "seconds": round(scan_seconds, 3),
                    "rows_per_second": round(scan_rate),
                    "baseline_executemany_rows_per_second": round(baseline_rate),
                    "ratio_to_baseline": round(scan_rate / baseline_rate, 3),
                    "process_peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
