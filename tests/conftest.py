"""Shared fixtures: a fresh database per run on each backend, emptied after every test.

On PostgreSQL the tests connect as an ordinary role of this run (not the tables' owner),
so row-level security binds every test; migrations and emptying run as the owner.
"""

import contextlib
import os
import re
import secrets
from collections.abc import Callable, Iterator

import psycopg
import pytest
import redis
from argon2 import PasswordHasher
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from config.settings import get_settings
from core.access import passwords
from core.kernel.context import RequestContext
from core.kernel.dispatch import set_dispatcher
from core.storage.unit_of_work import UnitOfWork, engagement_uow
from db.migrate import upgrade
from db.models import Asset, Base, ClientAccount, Engagement, Membership, User
from db.roles import ensure_app_role
from db.session import bind_tenant, create_db_engine
from tests.factories import signed_in_context

PG_SERVER = os.environ.get("TEST_POSTGRES_SERVER", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = os.environ.get("TEST_BACKENDS", "postgresql,sqlite").split(",")


def _pg_admin(statement: str) -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(statement)


# The product's Argon2 cost (argon2-cffi's defaults, 64 MiB and 3 passes: about 0.1 s a hash or
# check) is for people signing in; the suite hashes and checks hundreds of passwords in its own
# process, at the lowest cost Argon2id takes. test_passwords pins the product's parameters, and
# every process the suite starts (the live stacks, the command line run as the shell runs it)
# hashes at the product's cost.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PRODUCT_HASHER, PRODUCT_DUMMY_HASH = passwords._hasher, passwords._DUMMY_HASH


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP_HASHER)
        patch.setattr(passwords, "_DUMMY_HASH", CHEAP_HASHER.hash("no such account: equal timing"))
        yield


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Benchmark runs only when `-m` names them (make bench-smoke: `pytest -m bench`); browser
    tests last, together: the live stack they share runs only while they do. Under `make test`
    (pytest-xdist, `-n 2 --dist loadfile`) each of the two workers takes whole modules in this
    order, so both run the browser modules at the end, each on a live stack of its own."""
    if "bench" not in (config.option.markexpr or ""):
        benchmarks = [item for item in items if item.get_closest_marker("bench")]
        if benchmarks:
            config.hook.pytest_deselected(items=benchmarks)
            items[:] = [item for item in items if not item.get_closest_marker("bench")]
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_what_dead_runs_left() -> None:
    """Drop the databases and roles of runs on this machine whose process is gone (a worker
    killed before its teardown): names carry the creating process's id."""
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        databases = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE 'collection\\_test\\_%'"
        ).fetchall()
        roles = connection.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE 'collection\\_app\\_%'"
        ).fetchall()
        for kind, (name,) in [("DATABASE", row) for row in databases] + [
            ("ROLE", row) for row in roles
        ]:
            pid = name.split("_")[2]
            if pid.isdigit() and not _is_running(int(pid)):
                force = " WITH (FORCE)" if kind == "DATABASE" else ""
                with contextlib.suppress(psycopg.Error):  # another run's sweep got there first
                    connection.execute(f'DROP {kind} IF EXISTS "{name}"{force}')


@pytest.fixture(scope="session")
def postgresql_owner_url() -> Iterator[str]:
    """A PostgreSQL database of this run alone, migrated by its owner, dropped at the end."""
    drop_what_dead_runs_left()
    name = f"collection_test_{os.getpid()}_{secrets.token_hex(3)}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    url = f"{PG_SERVER.replace('postgresql://', 'postgresql+psycopg://')}/{name}"
    upgrade(url)
    yield url
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgresql_database_url(postgresql_owner_url) -> Iterator[str]:
    """The same database as the application's role: no owner, no superuser, no BYPASSRLS."""
    role = f"collection_app_{os.getpid()}_{secrets.token_hex(3)}"
    server, database = postgresql_owner_url.rsplit("/", 1)
    url = f"{server.split('://')[0]}://{role}@{server.split('@', 1)[1]}/{database}"
    assert ensure_app_role(postgresql_owner_url, url) == role
    yield url
    # After the database is gone (fixture order), the role owns and holds nothing.
    _drop_role_later.append(role)


_drop_role_later: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _drop_test_roles() -> Iterator[None]:
    yield
    for role in _drop_role_later:
        _pg_admin(f'DROP ROLE IF EXISTS "{role}"')


@pytest.fixture(scope="session")
def sqlite_database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'collection.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def sqlite_owner_url(sqlite_database_url) -> str:
    return sqlite_database_url


@pytest.fixture(scope="session")
def backend(request) -> str:
    """The database a test runs on: PostgreSQL (production, under row-level security), or each
    of TEST_BACKENDS for a test marked `both_backends` (where the embedded SQLite differs)."""
    return getattr(request, "param", BACKENDS[0])


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked `both_backends` runs once per backend of TEST_BACKENDS (unless it names
    its backends itself); every other database test runs on the first of them."""
    if "backend" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("both_backends") is None:
        return
    if any(
        "backend" in str(mark.args[0]) for mark in metafunc.definition.iter_markers("parametrize")
    ):
        return
    metafunc.parametrize("backend", BACKENDS, indirect=True, scope="session")


# Looked up per test, from the `backend` that test sees (tests/dashboard defines its own): a
# session-scoped URL or engine made under one definition is not renewed when the other's value
# changes, so a test on SQLite could write to the file while its tables were emptied on
# PostgreSQL, and leave its rows to the next tests on the file.
@pytest.fixture
def database_url(request, backend) -> str:
    """What the application connects with (on PostgreSQL, a role bound by row-level security)."""
    return request.getfixturevalue(f"{backend}_database_url")


@pytest.fixture
def owner_database_url(request, backend) -> str:
    return request.getfixturevalue(f"{backend}_owner_url")


@pytest.fixture(scope="session")
def _engines() -> Iterator[dict[tuple[str, str], Engine]]:
    """One engine per URL and use for the whole run, disposed at its end."""
    engines: dict[tuple[str, str], Engine] = {}
    yield engines
    for made in engines.values():
        made.dispose()


@pytest.fixture
def engine(database_url, _engines) -> Engine:
    if ("app", database_url) not in _engines:
        _engines["app", database_url] = create_db_engine(database_url)
    return _engines["app", database_url]


@pytest.fixture
def owner_engine(owner_database_url, _engines) -> Engine:
    """Sees every row (the owner is a superuser here): for emptying tables and checksums."""
    if ("owner", owner_database_url) not in _engines:
        _engines["owner", owner_database_url] = create_db_engine(owner_database_url)
    return _engines["owner", owner_database_url]


@pytest.fixture
def session_maker(backend, engine, owner_engine) -> Iterator[sessionmaker[Session]]:
    # The test writes and its tables are emptied on the one database of its backend.
    assert engine.dialect.name == owner_engine.dialect.name == backend, (
        f"a test on {backend} got engines on {engine.dialect.name} and {owner_engine.dialect.name}"
    )
    # Emptied before too: a test that wrote through a process or engine of its own and failed
    # before its teardown, or a module-scoped fixture's rows, never reach the next test.
    empty_database(owner_engine)
    yield sessionmaker(engine, expire_on_commit=False)
    empty_database(owner_engine)


@pytest.fixture
def db(session_maker) -> Iterator[Session]:
    with session_maker() as session:
        yield session


@pytest.fixture
def uow_of(db) -> Callable[[RequestContext], UnitOfWork]:
    """A unit of work of a context over the test's session: `with uow_of(ctx) as uow:`."""
    return lambda ctx: engagement_uow(ctx, db)


# Dependents first, so that every DELETE finds no row referring to what it removes.
_TABLES = [table.name for table in reversed(Base.metadata.sorted_tables)]
_HOLDING_ROWS = text(
    " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM {name})" for name in _TABLES)
)


def empty_database(engine: Engine) -> None:
    """Delete every row, in one transaction, from the tables that hold any: one probe and a few
    DELETEs of a test's handful of rows cost a fraction of a TRUNCATE of every table (which
    makes each table anew on PostgreSQL), and nothing when a test wrote nothing."""
    with engine.begin() as connection:
        holding = set(connection.execute(_HOLDING_ROWS).scalars())
        for table in _TABLES:
            if table in holding:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def make_member(db) -> Callable[..., RequestContext]:
    """The context of a new active user with `role` on the engagement of `ctx` (on all the
    client's engagements with `whole_client`).

    Every use case re-checks the membership and the sign-in session behind a context that
    names a user, so test contexts belong to real members signed in for the day (no
    password: nobody signs in as them through the form).
    """

    def make(
        ctx: RequestContext, role: str = "analyst", whole_client: bool = False
    ) -> RequestContext:
        user = User(email=f"member-{secrets.token_hex(6)}@example.com", password_hash=None)
        db.add(user)
        db.flush()
        db.add(
            Membership(
                user_id=user.id,
                client_account_id=ctx.client_account_id,
                engagement_id=None if whole_client else ctx.engagement_id,
                role=role,
            )
        )
        db.commit()
        return signed_in_context(db, ctx, user.id, role)

    return make


@pytest.fixture
def make_tenant(db, make_member) -> Callable[..., RequestContext]:
    """A new client account with one engagement, and the context of a member of it (an admin
    is the client's: an admin of all its engagements, as the one who creates a client is)."""

    def make(role: str = "analyst", name: str | None = None) -> RequestContext:
        client = ClientAccount(name=name or f"Client {secrets.token_hex(4)}")
        db.add(client)
        db.flush()
        engagement = Engagement(client_account_id=client.id, name="Wave 1")
        db.add(engagement)
        db.commit()
        return make_member(RequestContext(client.id, engagement.id), role, role == "admin")

    return make


@pytest.fixture
def tenant(make_tenant) -> RequestContext:
    return make_tenant()


COMPLETE_SERVER = {
    "operating_system": "Linux",
    "os_version": "RHEL 8.6",
    "cpu_cores": 8,
    "memory_gb": 32.0,
    "storage_gb": 500.0,
    "environment": "production",
    "business_criticality": "high",
    "business_owner": "Dana Ortiz",
    "technical_owner": "Lee Park",
    "custom_attributes": {
        "network_zone": "internal",
        "virtualization_platform": "vmware",
        "end_of_support_date": "2029-05-31",
        "known_vulnerabilities": 3,
    },
}


@pytest.fixture
def make_assets(db) -> Callable[..., list[Asset]]:
    """Assets of one tenant; by default servers that lack nothing, overridden per call."""

    def make(ctx: RequestContext, count: int = 1, asset_type: str = "server", **fields):
        bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
        assets = []
        for index in range(count):
            values = {**COMPLETE_SERVER, **fields}
            asset = Asset(
                client_account_id=ctx.client_account_id,
                engagement_id=ctx.engagement_id,
                name=f"{asset_type}-{secrets.token_hex(3)}-{index}",
                asset_type=asset_type,
                **values,
            )
            db.add(asset)
            assets.append(asset)
        db.commit()
        return assets

    return make


REDIS_SERVER = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


# A run's keys: its own, and the queues Huey names "huey.<kind>.<name>" after them.
_RUN_KEY_PATTERNS = ("{prefix}*", "huey.*.{prefix}*")
_RUN_PID = re.compile(r"(?:^|\.)test-(\d+)-")


def delete_redis_keys_of_dead_runs() -> None:
    """Keys under the prefix of a run whose process is gone (a thread still beating as the
    process exited writes after its run's own clean-up): deleted by the next run."""
    client = redis.Redis.from_url(REDIS_SERVER)
    dead = [
        key
        for pattern in _RUN_KEY_PATTERNS
        for key in client.scan_iter(match=pattern.format(prefix="test-"), count=1000)
        if (run := _RUN_PID.search(key.decode())) and not _is_running(int(run.group(1)))
    ]
    if dead:
        client.delete(*dead)
    client.close()


@pytest.fixture(scope="session")
def redis_prefix() -> Iterator[str]:
    """This run's own key prefix on the shared Redis; its keys are deleted at the end."""
    delete_redis_keys_of_dead_runs()
    prefix = f"test-{os.getpid()}-{secrets.token_hex(3)}:"
    yield prefix
    delete_redis_keys(prefix)


def delete_redis_keys(prefix: str) -> int:
    client = redis.Redis.from_url(REDIS_SERVER)
    keys = [
        key
        for pattern in _RUN_KEY_PATTERNS
        for key in client.scan_iter(match=pattern.format(prefix=prefix), count=1000)
    ]
    if keys:
        client.delete(*keys)
    client.close()
    return len(keys)


@pytest.fixture
def app_settings(monkeypatch, database_url, redis_prefix):
    """Point the application's settings at this run's database and, on PostgreSQL, Redis.

    PostgreSQL pairs with Redis (production); SQLite with the SQL job keys (embedded).
    """

    def apply(**overrides: str) -> None:
        values = {
            "DATABASE_URL": database_url,
            "JOB_STALL_SECONDS": "2",
            # What every process of a deployment on PostgreSQL and Redis must share.
            "SESSION_SECRET": "test-session-secret-" + "s" * 32,
            **overrides,
        }
        if database_url.startswith("postgresql"):
            values.setdefault("REDIS_URL", REDIS_SERVER)
            values.setdefault("REDIS_KEY_PREFIX", redis_prefix + secrets.token_hex(3) + ":")
        else:
            monkeypatch.delenv("REDIS_URL", raising=False)
        for key, value in values.items():
            monkeypatch.setenv(key, value)
        get_settings.cache_clear()

    apply()
    yield apply
    get_settings.cache_clear()


class RecordingDispatcher:
    """Stands in for the worker queue: records what would be enqueued."""

    def __init__(self):
        self.jobs = []

    def enqueue_gap_enhancement(self, **primitives):
        self.jobs.append(primitives)

    def enqueue_phase(self, **primitives):
        self.jobs.append(primitives)


@pytest.fixture
def dispatcher(app_settings) -> Iterator[RecordingDispatcher]:
    recorder = RecordingDispatcher()
    set_dispatcher(recorder)
    yield recorder
    set_dispatcher(None)


@pytest.fixture
def admin(make_tenant) -> RequestContext:
    """An admin of a client's engagement of their own."""
    return make_tenant(role="admin")


@pytest.fixture
def long_phases(monkeypatch) -> None:
    """Three assets stand for a hundred thousand: every long phase over two assets goes to a
    worker as a phase run."""
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 2)
