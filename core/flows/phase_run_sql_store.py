"""Phase runs kept in the `job_keys` table of the application database (no REDIS_URL): each
step a transaction of its own under the flow key's advisory lock (SQLite: BEGIN IMMEDIATE)."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from core.flows.phase_run import (
    PHASE_RUN_TTL_SECONDS,
    PHASE_RUNS,
    PhaseRun,
    phase_run_input_key,
    phase_run_key,
)
from core.flows.phase_run_store import PhaseRunStore
from core.storage import dialect
from db.models import JobKey


class SqlPhaseRunStore(PhaseRunStore):
    """Rows of `job_keys`, each step a transaction of its own under the key's advisory lock."""

    def __init__(self, engine: Engine, namespace: str = PHASE_RUNS):
        self.engine = engine
        self.namespace = namespace
        self.writes_beside_transactions = engine.dialect.name != "sqlite"

    def _row(self, connection: Connection, key: str) -> dict[str, Any] | None:
        query = select(JobKey.value, JobKey.expires_at).where(JobKey.key == key)
        row = connection.execute(query).first()
        if row is None or _aware(row.expires_at) <= datetime.now(UTC):
            return None
        return dict(row.value)

    def _put(self, connection: Connection, key: str, value: dict[str, Any]) -> None:
        expires_at = datetime.now(UTC) + timedelta(seconds=PHASE_RUN_TTL_SECONDS)
        statement = dialect.insert(connection, JobKey).values(
            key=key, value=value, expires_at=expires_at
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "expires_at": expires_at}
            )
        )

    def claim(
        self,
        collection_flow_id: str,
        run: PhaseRun,
        *,
        stall_seconds: float,
        over: str | None = None,
    ) -> PhaseRun | None:
        key = phase_run_key(collection_flow_id, self.namespace)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, key)
            value = self._row(connection, key)
            holder = PhaseRun.from_primitives(value) if value else None
            if (
                holder is not None
                and holder.run_id != over
                and holder.blocks_start(time.time(), stall_seconds)
            ):
                return holder
            self._put(connection, key, run.primitives())
        return None

    def get(self, collection_flow_id: str) -> PhaseRun | None:
        reader = self.engine.connect().execution_options(sqlite_read_only=True)
        with reader as connection:
            value = self._row(connection, phase_run_key(collection_flow_id, self.namespace))
        return PhaseRun.from_primitives(value) if value else None

    def get_many(self, collection_flow_ids: list[str]) -> dict[str, PhaseRun]:
        keys = {phase_run_key(key, self.namespace): key for key in collection_flow_ids}
        if not keys:
            return {}
        query = select(JobKey.key, JobKey.value, JobKey.expires_at).where(JobKey.key.in_(keys))
        reader = self.engine.connect().execution_options(sqlite_read_only=True)
        with reader as connection:
            rows = connection.execute(query).all()
        now = datetime.now(UTC)
        return {
            keys[row.key]: PhaseRun.from_primitives(dict(row.value))
            for row in rows
            if _aware(row.expires_at) > now
        }

    def update_if_current(self, collection_flow_id: str, run: PhaseRun) -> bool:
        key = phase_run_key(collection_flow_id, self.namespace)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, key)
            value = self._row(connection, key)
            if value is None or value.get("run_id") != run.run_id:
                return False
            self._put(connection, key, run.primitives())
        return True

    def delete_if_current(self, collection_flow_id: str, run_id: str) -> None:
        key = phase_run_key(collection_flow_id, self.namespace)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, key)
            value = self._row(connection, key)
            if value is not None and value.get("run_id") == run_id:
                connection.execute(delete(JobKey).where(JobKey.key == key))

    def keep_input(self, collection_flow_id: str, run_id: str, phase_input: dict[str, Any]) -> None:
        key = phase_run_input_key(collection_flow_id, self.namespace)
        with self.engine.begin() as connection:
            self._put(connection, key, {"run_id": run_id, "phase_input": phase_input})

    def kept_input(self, collection_flow_id: str, run_id: str) -> dict[str, Any] | None:
        key = phase_run_input_key(collection_flow_id, self.namespace)
        reader = self.engine.connect().execution_options(sqlite_read_only=True)
        with reader as connection:
            kept = self._row(connection, key) or {}
        return dict(kept["phase_input"]) if kept.get("run_id") == run_id else None

    def forget_input(self, collection_flow_id: str, run_id: str) -> None:
        key = phase_run_input_key(collection_flow_id, self.namespace)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, key)
            kept = self._row(connection, key)
            if kept is not None and kept.get("run_id") == run_id:
                connection.execute(delete(JobKey).where(JobKey.key == key))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
