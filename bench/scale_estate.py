"""What bench/scale.py measures on: an estate's inventory file, its database (PostgreSQL as the
application's role, or a SQLite file), more engagements copied from the first, and the bare
executemany a gap scan is held against."""

import csv
import io
import os
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.orm import sessionmaker

from bench.scratch import admin, scratch_database
from core.kernel.context import RequestContext
from db.models import (
    Asset,
    ClientAccount,
    CollectionDataGap,
    CollectionFlow,
    Engagement,
    MasterFlow,
)
from db.roles import ensure_app_role
from db.session import create_db_engine

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
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; getrusage's
    maxrss would carry the forking parent's peak into an export's process."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def estate_database(kind: str, server: str) -> Iterator[tuple[str, str]]:
    """(owner URL, application URL): a scratch PostgreSQL database read and written as the
    application's role (dropped afterwards, role included), or a SQLite file (one URL)."""
    if kind == "sqlite":
        from db.migrate import upgrade

        with tempfile.TemporaryDirectory(prefix="bench_scale_") as folder:
            url = f"sqlite:///{folder}/estate.db"
            upgrade(url)
            yield url, url
        return
    role = f"bench_scale_app_{os.getpid()}"
    try:
        with scratch_database(server, "bench_scale") as owner_url:
            base, database = owner_url.rsplit("/", 1)
            app_url = f"{base.split('://')[0]}://{role}@{base.split('@', 1)[1]}/{database}"
            ensure_app_role(owner_url, app_url)
            yield owner_url, app_url
    finally:
        if kind != "sqlite":
            admin(server, f'DROP ROLE IF EXISTS "{role}"')


def make_engagement(owner_url: str, client_id: uuid.UUID | None = None) -> RequestContext:
    """A new engagement (of a new client, unless one is given), as the owner makes it."""
    engine = create_db_engine(owner_url)
    with sessionmaker(engine)() as db:
        if client_id is None:
            client = ClientAccount(name="Bench client")
            db.add(client)
            db.flush()
            client_id = client.id
        engagement = Engagement(client_account_id=client_id, name=f"Bench {uuid.uuid4().hex[:6]}")
        db.add(engagement)
        db.commit()
        ctx = RequestContext(client_id, engagement.id, role="admin")
    engine.dispose()
    return ctx


def copy_engagement(owner_url: str, source: RequestContext) -> tuple[RequestContext, float]:
    """Another engagement of the same client holding a copy of the source's assets, flows and
    gaps (new ids), written in SQL as the owner: four engagements at 100,000 assets without
    four imports and scans. The gaps' counts are kept by the triggers, as for any write."""
    target = make_engagement(owner_url, source.client_account_id)
    tag = target.engagement_id.hex
    new_id = "md5({column}::text || '" + tag + "')::uuid"
    plain = owner_url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    with psycopg.connect(plain) as connection:
        for model, renamed in (
            (Asset, {"id": new_id.format(column="id")}),
            (MasterFlow, {"flow_id": new_id.format(column="flow_id")}),
            (
                CollectionFlow,
                {
                    "id": new_id.format(column="id"),
                    "flow_id": new_id.format(column="flow_id"),
                    "master_flow_id": new_id.format(column="master_flow_id"),
                },
            ),
        ):
            _copy(connection, model, renamed, "engagement_id = %(source)s", target, source)
        _copy(
            connection,
            CollectionDataGap,
            {
                "id": new_id.format(column="id"),
                "collection_flow_id": new_id.format(column="collection_flow_id"),
                "asset_id": new_id.format(column="asset_id"),
            },
            "collection_flow_id IN (SELECT id FROM collection_flows"
            " WHERE engagement_id = %(source)s)",
            target,
            source,
        )
        connection.execute("ANALYZE assets")
        connection.execute("ANALYZE collection_data_gaps")
    return target, time.perf_counter() - started


def _copy(connection: Any, model: Any, renamed: dict[str, str], where: str, target, source) -> None:
    columns = list(model.__table__.columns.keys())
    tenant = {"engagement_id": "%(target)s::uuid"} if "engagement_id" in columns else {}
    values = [{**renamed, **tenant}.get(column, column) for column in columns]
    connection.execute(
        f"INSERT INTO {model.__tablename__} ({', '.join(columns)})"
        f" SELECT {', '.join(values)} FROM {model.__tablename__} WHERE {where}",
        {"source": source.engagement_id, "target": target.engagement_id},
    )


def bare_executemany(owner_url: str, collection_flow_id: Any) -> tuple[int, float]:
    """The flow's gaps written again by a plain executemany of the same rows (batches of 1000),
    as the tables' owner, into the bare table (without the triggers that keep the gap counts,
    which the scan pays): the floor a scan's writes are held against."""
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
