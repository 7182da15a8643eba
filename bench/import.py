"""Importing a generated inventory on PostgreSQL against a bare executemany upsert of the same rows.

Prints one JSON object. Creates and drops its own database. The machine may be shared:
each side runs --repeat times and the best run of each counts. `--layout rvtools` imports an
RVTools-layout workbook (vInfo sheet with RVTools' own headers, 1 in 100 rows a template)
instead of a CMDB-style CSV.
    python bench/import.py [--rows 100000] [--repeat 3] [--layout csv|rvtools] [--server ...]
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
from core.storage.unit_of_work import engagement_uow
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


RVTOOLS_HEADER = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name", "CPUs",
    "Memory", "NICs", "Disks", "Primary IP Address", "Annotation", "Provisioned MiB",
    "In Use MiB", "Folder", "OS according to the configuration file",
    "OS according to the VMware Tools", "VM UUID", "Datacenter", "Cluster", "Host",
    "VI SDK Server",
]  # fmt: skip
GUESTS = ("Microsoft Windows Server 2019 (64-bit)", "CentOS 7 (64-bit)",
          "Red Hat Enterprise Linux 8 (64-bit)", "Ubuntu Linux (64-bit)")  # fmt: skip


def rvtools_inventory(rows: int) -> tuple[bytes, int]:
    """An RVTools-layout workbook of `rows` VMs, and how many of them are no template."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("vInfo")
    sheet.append(RVTOOLS_HEADER)
    templates = 0
    for index in range(rows):
        template = index % 100 == 99
        templates += template
        guest = GUESTS[index % len(GUESTS)]
        sheet.append(
            [
                f"vm-{index:06d}", "poweredOff" if index % 7 == 0 else "poweredOn", template,
                False, "green", f"vm-{index:06d}.corp.example.com", 2 ** (index % 4),
                (index % 16 + 1) * 2048, 1, 1 + index % 3, f"10.{index // 65536 % 256}"
                f".{index // 256 % 256}.{index % 256}", "line one\nline two" if index % 50 == 0
                else "", (100 + index % 900) * 1024, (50 + index % 400) * 1024,
                f"Prod/App{index % 20}", guest, "" if index % 9 == 0 else guest,
                f"5003{index:08x}-0000-4000-8000-000000000000", f"DC{index % 3 + 1}",
                f"CL{index % 12:02d}", f"esx{index % 64:02d}.corp", "vcenter01.corp",
            ]
        )  # fmt: skip
    for name in ("vCPU", "vMemory", "vDisk", "vPartition"):
        workbook.create_sheet(name).append(["VM", "Powerstate"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), rows - templates


def stored_rows(make_session, engagement_id: uuid.UUID) -> list[tuple]:
    """What the import wrote, as the parameters of the bare upsert (computed off the clock)."""
    # Plain rows of the columns the upsert binds, not ORM objects: 100,000 of those would
    # make this, not the import, the process's peak.
    read = [getattr(Asset, column) for column in ("client_account_id", "engagement_id", *COLUMNS)]
    with make_session() as db:
        assets = db.execute(
            select(*read, Asset.custom_attributes).where(Asset.engagement_id == engagement_id)
        ).all()
        now = utcnow()
        return [
            (uuid.uuid4(), *asset[:-1], Jsonb(asset.custom_attributes), now, now)
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
    parser.add_argument("--layout", choices=("csv", "rvtools"), default="csv")
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
        if args.layout == "rvtools":
            content, expected = rvtools_inventory(args.rows)
            filename = "RVTools_export_all.xlsx"
        else:
            content, expected, filename = inventory(args.rows), args.rows, "bench.csv"

        import_times, reimport_times, baseline_times = [], [], []
        import_peak_rss = 0.0
        for _attempt in range(args.repeat):
            started = time.perf_counter()
            with make_session() as db, engagement_uow(ctx, db) as uow:
                report = import_assets(uow, content, filename)
            import_times.append(time.perf_counter() - started)
            assert report.created == expected, report.as_dict() | {"skipped": report.skipped[:5]}
            if not import_peak_rss:
                # The process's peak so far: the generated file plus one import, nothing else.
                import_peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

            started = time.perf_counter()
            with make_session() as db, engagement_uow(ctx, db) as uow:
                reimport = import_assets(uow, content, filename)
            reimport_times.append(time.perf_counter() - started)
            assert reimport.unchanged == expected, reimport.as_dict() | {"skipped": []}

            rows = stored_rows(make_session, engagement.id)
            empty_assets(make_session)
            baseline_times.append(bare_upsert(url, rows))
            with make_session() as db:
                assert db.scalar(select(func.count()).select_from(Asset)) == expected
            empty_assets(make_session)
        engine.dispose()

        # Best of the repeats for both sides: the machine is shared, the floor is the signal.
        import_seconds, baseline_seconds = min(import_times), min(baseline_times)
        reimport_seconds = min(reimport_times)
        import_rate = expected / import_seconds
        baseline_rate = expected / baseline_seconds
        print(
            json.dumps(
                {
                    "benchmark": "import",
                    "database": "postgresql",
                    "layout": args.layout,
                    "profile": report.profile,
                    "rows": args.rows,
                    "assets": expected,
                    "repeats": args.repeat,
                    "file_mb": round(len(content) / 2**20, 1),
                    "seconds": round(import_seconds, 3),
                    "rows_per_second": round(import_rate),
                    "reimport_unchanged_rows_per_second": round(expected / reimport_seconds),
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
