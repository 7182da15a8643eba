"""The base of every tenant repository: each query is filtered by the tenant here."""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from db.session import bind_tenant


class TenantRepository:
    """Filters every query by tenant. The session is bound to the tenant once, by the unit of
    work (or here, for a repository built over a bare session), so PostgreSQL's row-level
    security (migration 0002) refuses whatever a query forgets to filter; one session
    serves one tenant at a time, so queries do not rebind it."""

    def __init__(self, db: Session, client_account_id: uuid.UUID, engagement_id: uuid.UUID):
        self.db = db
        self.client_account_id = client_account_id
        self.engagement_id = engagement_id
        bind_tenant(db, client_account_id, engagement_id)

    def _scoped(self, query: Select, model: Any) -> Select:
        return query.where(model.client_account_id == self.client_account_id).where(
            model.engagement_id == self.engagement_id
        )
