"""The gap-job history of one tenant: one row per job and one per try of it, kept after its
job key expires."""

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.orm import aliased

from core.storage.tenant_repository import TenantRepository
from db.models import CollectionFlow, GapJob, GapJobAttempt, User


class GapJobRepository(TenantRepository):
    def add(self, job: GapJob | GapJobAttempt) -> None:
        job.client_account_id = self.client_account_id
        job.engagement_id = self.engagement_id
        self.db.add(job)

    def get(self, job_id: uuid.UUID) -> GapJob | None:
        query = self._scoped(select(GapJob), GapJob).where(GapJob.id == job_id)
        return self.db.scalars(query).first()

    def attempt(self, gap_job_id: uuid.UUID, number: int) -> GapJobAttempt | None:
        """Try `number` of the job (1: its submission)."""
        query = self._scoped(select(GapJobAttempt), GapJobAttempt).where(
            GapJobAttempt.gap_job_id == gap_job_id, GapJobAttempt.number == number
        )
        return self.db.scalars(query).first()

    def attempts_of(self, gap_job_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
        """The tries of those jobs in order (rows with GapJobAttempt's columns), each with
        `started_by_name`: who started it, by name or email."""
        if not gap_job_ids:
            return {}
        starter = func.coalesce(User.display_name, User.email).label("started_by_name")
        query = self._scoped(
            select(*GapJobAttempt.__table__.columns, starter).outerjoin(
                User, User.id == GapJobAttempt.started_by
            ),
            GapJobAttempt,
        ).where(GapJobAttempt.gap_job_id.in_(list(gap_job_ids)))
        tries: dict[uuid.UUID, list[Row[Any]]] = {}
        for row in self.db.execute(query.order_by(GapJobAttempt.number)):
            tries.setdefault(row.gap_job_id, []).append(row)
        return tries

    def list_jobs(
        self, *, collection_flow_id: uuid.UUID | None = None, limit: int = 200
    ) -> list[tuple[GapJob, Any, str, str | None, str | None]]:
        """Jobs newest first, each with its flow's master flow_id, flow name, submitter and
        who retried it last."""
        retrier = aliased(User)
        submitter = func.coalesce(User.display_name, User.email)
        retried_by = func.coalesce(retrier.display_name, retrier.email)
        query = self._scoped(
            select(GapJob, CollectionFlow.flow_id, CollectionFlow.flow_name, submitter, retried_by)
            .join(CollectionFlow, CollectionFlow.id == GapJob.collection_flow_id)
            .outerjoin(User, User.id == GapJob.submitted_by)
            .outerjoin(retrier, retrier.id == GapJob.retried_by),
            GapJob,
        )
        if collection_flow_id is not None:
            query = query.where(GapJob.collection_flow_id == collection_flow_id)
        query = query.order_by(GapJob.submitted_at.desc(), GapJob.id).limit(limit)
        return [tuple(row) for row in self.db.execute(query)]
