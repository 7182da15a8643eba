"""What one benchmark run stands on: a PostgreSQL database (or a whole deployment on PostgreSQL
and Redis) created, migrated and dropped; a tenant with servers, gaps and flows; consumers."""

import os
import secrets
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = os.environ.get("BENCH_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")


def admin(server: str, statement: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def scratch_database(server: str, prefix: str) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, migrated database, dropped when the block ends."""
    from db.migrate import upgrade

    name = f"{prefix}_{os.getpid()}"
    admin(server, f'CREATE DATABASE "{name}"')
    try:
        url = f"{server.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
        upgrade(url)
        yield url
    finally:
        admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def scratch_deployment(name: str, **settings: str) -> Iterator[list[subprocess.Popen]]:
    """A deployment on PostgreSQL and Redis of one benchmark run, in this process's settings:
    a fresh database migrated by its owner, an application role, a Redis key prefix, and
    `settings` on top. Yields the list to put the run's consumers in; when the block ends they
    are stopped, the prefix's keys and Huey's queue deleted, the database and role dropped."""
    import redis

    from db.migrate import upgrade_and_grant
    from tests.processes import stop_group

    tag = f"{os.getpid()}_{secrets.token_hex(2)}"
    database, role = f"bench_{name}_{tag}", f"bench_{name}_app_{tag}"
    owner_url = f"{DEFAULT_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{database}"
    prefix = f"bench-{tag}:"
    defaults = {
        "DATABASE_URL": owner_url.replace("postgres@", f"{role}@"),
        "MIGRATION_DATABASE_URL": owner_url,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": prefix,
        "JOB_STALL_SECONDS": "60",
        # What every process of a deployment on PostgreSQL and Redis signs with.
        "SESSION_SECRET": secrets.token_urlsafe(48),
    }
    os.environ.update({**defaults, **settings})
    admin(DEFAULT_SERVER, f'CREATE DATABASE "{database}"')
    consumers: list[subprocess.Popen] = []
    try:
        upgrade_and_grant()
        yield consumers
    finally:
        for consumer in consumers:
            stop_group(consumer)
        client = redis.Redis.from_url(REDIS_URL)
        # The job keys carry the prefix; Huey's queue keys carry it in their name.
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        keys += list(client.scan_iter(match=f"huey.*{tag}*", count=1000))
        if keys:
            client.delete(*keys)
        admin(DEFAULT_SERVER, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin(DEFAULT_SERVER, f'DROP ROLE IF EXISTS "{role}"')


def start_consumer(command: Sequence[str], **env: str) -> subprocess.Popen:
    """A Huey consumer, or the command that runs one, leading a process group of its own, run
    from the project's folder in this process's settings with `env` on top. Its output goes to
    BENCH_CONSUMER_LOG, for when a run goes wrong. Stop it with tests.processes.stop_group."""
    from tests.processes import start_group

    with open(os.environ.get("BENCH_CONSUMER_LOG", os.devnull), "a") as log:
        return start_group(
            list(command),
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def servers(ctx: Any, count: int, name: str = "srv-{:03d}", **values: Any) -> list[Any]:
    """`count` servers of the tenant, named `name` with their index, each holding `values`."""
    from db.models import Asset

    return [
        Asset(
            client_account_id=ctx.client_account_id,
            engagement_id=ctx.engagement_id,
            name=name.format(index),
            asset_type="server",
            **values,
        )
        for index in range(count)
    ]


def tenant_with_flows(
    make_session: Any,
    assets: int,
    missing: Sequence[str],
    flows: int,
    flow_name: str,
    **values: Any,
) -> tuple[Any, list[dict], list[str]]:
    """A demo tenant with `assets` servers holding `values`, the gaps of the `missing` attributes
    on every one, and `flows` flows named `flow_name` and a number: (its context, the gaps, the
    flows' ids). The tenant is created as the owner would; its rows through its binding."""
    from core.flows.orchestrator import MasterFlowOrchestrator
    from core.kernel.context import RequestContext
    from db.demo import DemoRandom, create_tenants
    from db.session import bind_tenant

    with make_session() as db:
        tenant = create_tenants(db, DemoRandom(5))[0]
        db.commit()
        ctx = RequestContext(tenant.client_account_id, tenant.engagement_id, role="analyst")
        bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
        added = servers(ctx, assets, **values)
        db.add_all(added)
        db.commit()
        gaps = [
            {
                "field_name": field,
                "gap_type": "missing",
                "asset_id": str(asset.id),
                "asset_name": asset.name,
            }
            for asset in added
            for field in missing
        ]
        orchestrator = MasterFlowOrchestrator(db, ctx)
        ids = [orchestrator.create_flow(flow_name=f"{flow_name} {i}") for i in range(flows)]
    return ctx, gaps, ids
