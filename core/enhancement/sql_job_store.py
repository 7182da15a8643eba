"""The job-key store in the application database (the embedded default): rows of `job_keys`.

Each step is one transaction of its own, serialized per flow by an advisory lock
(core/storage/dialect.py); reads take no lock, so they never wait for a busy writer.
"""

import time
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, select

from core.enhancement.job_keys import (
    JOB_KEY_TTL_SECONDS,
    RATE_LIMIT_SECONDS,
    job_key,
    rate_limit_key,
)
from core.enhancement.job_state import JobState
from core.enhancement.job_store import SELECTION_FIELD, Claim, ClaimOutcome, JobKeyStore
from core.enhancement.selection import SelectedGap
from core.storage import dialect
from db.models import JobKey


class SqlJobStore(JobKeyStore):
    def __init__(self, engine: Engine):
        self.engine = engine

    def _put(self, connection: Connection, key: str, value: dict, ttl_seconds: float) -> None:
        expires_at = datetime.now(UTC) + timedelta(seconds=ttl_seconds)
        statement = dialect.insert(connection, JobKey).values(
            key=key, value=value, expires_at=expires_at
        )
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"value": value, "expires_at": expires_at}
            )
        )

    def _read(self, connection: Connection, keys: Sequence[str]) -> dict[str, Row[Any]]:
        query = select(JobKey.key, JobKey.value, JobKey.expires_at).where(JobKey.key.in_(keys))
        now = datetime.now(UTC)
        return {row.key: row for row in connection.execute(query) if row.expires_at > now}

    def _reader(self) -> Connection:
        # Reads take no write lock on SQLite, so they never wait for a busy session.
        return self.engine.connect().execution_options(sqlite_read_only=True)

    def _value(self, collection_flow_id: str) -> dict[str, Any] | None:
        key = job_key(collection_flow_id)
        with self._reader() as connection:
            row = self._read(connection, [key]).get(key)
        return dict(row.value) if row else None

    def claim(
        self,
        collection_flow_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
        *,
        stall_seconds: float,
    ) -> Claim:
        job, rate = job_key(collection_flow_id), rate_limit_key(collection_flow_id)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, job)
            rows = self._read(connection, [job, rate])
            current = JobState.from_primitives(rows[job].value) if job in rows else None
            if current is not None and current.blocks_submission(time.time(), stall_seconds):
                return Claim(ClaimOutcome.CONFLICT)
            if rate in rows:
                wait = (rows[rate].expires_at - datetime.now(UTC)).total_seconds()
                return Claim(ClaimOutcome.RATE_LIMITED, max(wait, 0.001))
            # Expired keys are purged only by a claim that writes: a refusal writes nothing.
            connection.execute(delete(JobKey).where(JobKey.expires_at < datetime.now(UTC)))
            value = {
                **state.primitives(),
                SELECTION_FIELD: [gap.primitives() for gap in selection],
            }
            self._put(connection, job, value, JOB_KEY_TTL_SECONDS)
            self._put(connection, rate, {"submitted_at": time.time()}, RATE_LIMIT_SECONDS)
        return Claim(ClaimOutcome.ACCEPTED)

    def get(self, collection_flow_id: str) -> JobState | None:
        value = self._value(collection_flow_id)
        return JobState.from_primitives(value) if value else None

    def get_many(self, collection_flow_ids: Sequence[str]) -> dict[str, JobState]:
        keys = {job_key(flow): flow for flow in collection_flow_ids}
        if not keys:
            return {}
        with self._reader() as connection:
            rows = self._read(connection, list(keys))
        return {keys[key]: JobState.from_primitives(row.value) for key, row in rows.items()}

    def get_selection(self, collection_flow_id: str) -> tuple[SelectedGap, ...]:
        value = self._value(collection_flow_id) or {}
        return tuple(SelectedGap.model_validate(gap) for gap in value.get(SELECTION_FIELD, []))

    def update_if_current(
        self, collection_flow_id: str, state: JobState, changed: Collection[str]
    ) -> bool:
        key = job_key(collection_flow_id)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, key)
            row = self._read(connection, [key]).get(key)
            if row is None or row.value.get("job_id") != state.job_id:
                return False
            value = {**row.value, **state.primitives(changed)}
            self._put(connection, key, value, JOB_KEY_TTL_SECONDS)
        return True

    def delete(self, collection_flow_id: str, job_id: str | None = None) -> None:
        job, rate = job_key(collection_flow_id), rate_limit_key(collection_flow_id)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, job)
            row = self._read(connection, [job]).get(job)
            if row is not None and (job_id is None or row.value.get("job_id") == job_id):
                connection.execute(delete(JobKey).where(JobKey.key == job))
            connection.execute(delete(JobKey).where(JobKey.key == rate))

    def put_back(
        self,
        collection_flow_id: str,
        job_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
    ) -> None:
        job, rate = job_key(collection_flow_id), rate_limit_key(collection_flow_id)
        with self.engine.begin() as connection:
            dialect.advisory_lock(connection, job)
            row = self._read(connection, [job]).get(job)
            if row is not None and row.value.get("job_id") == job_id:
                value = {
                    **state.primitives(),
                    SELECTION_FIELD: [gap.primitives() for gap in selection],
                }
                self._put(connection, job, value, JOB_KEY_TTL_SECONDS)
            connection.execute(delete(JobKey).where(JobKey.key == rate))
