"""Importing a generated inventory on PostgreSQL against a bare executemany upsert of the same rows.

Prints one JSON object. Creates and drops its own database. The machine may be shared:
each side runs --repeat times and the best run of each counts.
    python bench/import.py [--rows 100000] [--repeat 3] [--server postgresql://postgres@...]
"""

import argparse
import csv
import io
import json
import resource
import time
import uuid

import psycopg
from psycopg.types.json import Jsonb
from scratch import DEFAULT_SERVER, scratch_database
from sqlalchemy import delete, func, select
from sqlalchemy.orm import sessionmaker

from core.inventory.importer import import_assets
from core.kernel.context import RequestContext
from core.storage.unit_of_work import uow_for
from db.models import Asset, ClientAccount, Engagement
from db.session import create_db_engine
from db.types import utcnow

HEADER = [
    "Server Name", "Class", "Operating System", "OS Version", "vCPU", "RAM (MB)",
    "Disk (GB)", "Environment", "Application Owner", "Support Group", "Criticality",
    "Location", "Rack",
]  # fmt: skip
COLUMNS = [
    "name", "asset_type", "operating_system", "os_version", "cpu_cores", "memory_gb",
    "storage_gb", "environment", "business_owner", "technical_owner", "business_criticality",
]  # fmt: skip
BARE_UPSERT = f"""
INSERT INTO assets (id, client_account_id, engagement_id, {", ".join(COLUMNS)},
                    custom_attributes, created_at, updated_at)
VALUES (%s, %s, %s, {", ".join(["%s"] * len(COLUMNS))}, %s, %s, %s)
ON CONFLICT (client_account_id, engagement_id, name) DO UPDATE SET
    {", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])},
    custom_attributes = excluded.custom_attributes, updated_at = excluded.updated_at
"""


def inventory(rows: int) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for index in range(rows):
        writer.writerow(
            [
                f"host-{index:06d}",
                ("Linux Server", "Windows Server", "Virtual Machine", "Database")[index % 4],
                ("Red Hat Enterprise Linux", "Windows Server", "Ubuntu")[index % 3],
                ("8.6", "2019", "22.04")[index % 3],
                2 ** (index % 5),
                f"{(index % 16 + 1) * 2048:,}",
                100 + index % 900,
                ("Production", "Test", "Development", "TBD")[index % 4],
                f"Owner {index % 97}",
                f"Team {index % 13}",
                ("low", "medium", "high", "critical")[index % 4],
                f"DC{index % 3 + 1}",
                f"R{index % 40:02d}",
            ]
        )
    return buffer.getvalue().encode()


def stored_rows(make_session, engagement_id: uuid.UUID) -> list[tuple]:
    """What the import wrote, as the parameters of the bare upsert (computed off the clock)."""
    with make_session() as db:
        assets = db.scalars(select(Asset).where(Asset.engagement_id == engagement_id)).all()
        now = utcnow()
        return [
            (
                uuid.uuid4(),
                asset.client_account_id,
                asset.engagement_id,
                *(getattr(asset, column) for column in COLUMNS),
                Jsonb(asset.custom_attributes),
                now,
                now,
            )
            for asset in assets
        ]


def empty_assets(make_session) -> None:
    with make_session() as db:
        db.execute(delete(Asset))
        db.commit()


def bare_upsert(url: str, rows: list[tuple]) -> float:
    started = time.perf_counter()
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain_url) as connection, connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(BARE_UPSERT, rows[start : start + 1000])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--server",
        default=DEFAULT_SERVER,
    )
    args = parser.parse_args()
    with scratch_database(args.server, "bench_import") as url:
        engine = create_db_engine(url)
        make_session = sessionmaker(engine, expire_on_commit=False)
        with make_session() as db:
            client = ClientAccount(name="Bench client")
            db.add(client)
            db.flush()
            engagement = Engagement(client_account_id=client.id, name="Bench")
            db.add(engagement)
            db.commit()
        ctx = RequestContext(client.id, engagement.id, role="admin")
        content = inventory(args.rows)

        import_times, reimport_times, baseline_times = [], [], []
        import_peak_rss = 0.0
        for _attempt in range(args.repeat):
            started = time.perf_counter()
            with make_session() as db, uow_for(ctx, db) as uow:
                report = import_assets(uow, content, "bench.csv")
            import_times.append(time.perf_counter() - started)
            assert report.created == args.rows and not report.skipped, report
            if not import_peak_rss:
                # The process's peak so far: the generated file plus one import, nothing else.
                import_peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            started = time.perf_counter()
            with make_session() as db, uow_for(ctx, db) as uow:
                reimport = import_assets(uow, content, "bench.csv")
            reimport_times.append(time.perf_counter() - started)
            assert reimport.unchanged == args.rows, reimport

            rows = stored_rows(make_session, engagement.id)
            empty_assets(make_session)
            baseline_times.append(bare_upsert(url, rows))
            with make_session() as db:
                assert db.scalar(select(func.count()).select_from(Asset)) == args.rows
            empty_assets(make_session)
        engine.dispose()

        # Best of the repeats for both sides: the machine is shared, the floor is the signal.
        import_seconds, baseline_seconds = min(import_times), min(baseline_times)
        reimport_seconds = min(reimport_times)
        import_rate = args.rows / import_seconds
        baseline_rate = args.rows / baseline_seconds
        print(
            json.dumps(
                {
                    "benchmark": "import",
                    "database": "postgresql",
                    "rows": args.rows,
                    "repeats": args.repeat,
                    "file_mb": round(len(content) / 2**20, 1),
                    "seconds": round(import_seconds, 3),
                    "rows_per_second": round(import_rate),
                    "reimport_unchanged_rows_per_second": round(args.rows / reimport_seconds),
                    "baseline_executemany_rows_per_second": round(baseline_rate),
                    "ratio_to_baseline": round(import_rate / baseline_rate, 3),
                    "peak_rss_after_import_mb": round(import_peak_rss, 1),
                    "process_peak_rss_mb": round(
                        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                    ),
                }
            )
        )


if __name__ == "__main__":
    main()
