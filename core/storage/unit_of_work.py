"""A tenant-bound unit of work: one session, one tenant, the repositories, commit or roll back.

`with uow_for(ctx) as uow:` opens its own session (or works over one it is given, as the
seed's entry points pass theirs), binds the tenant once (row-level security included),
exposes the tenant's repositories, commits when the block ends and rolls back on any error.
Use cases take a unit of work; no caller half-owns a transaction.
"""

from __future__ import annotations

import uuid
from types import TracebackType

from sqlalchemy.orm import Session

from core.kernel.context import RequestContext
from core.kernel.errors import NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action, require
from core.storage.assets import AssetRepository
from core.storage.audit import AuditRepository
from core.storage.flows import CollectionFlowRepository
from core.storage.gaps import GapRepository
from core.storage.questionnaires import QuestionnaireRepository
from db.models import CollectionFlow
from db.session import bind_tenant, open_session


class UnitOfWork:
    """The tenant's repositories over one session; a block of work commits or rolls back."""

    flows: CollectionFlowRepository
    assets: AssetRepository
    gaps: GapRepository
    questionnaires: QuestionnaireRepository
    audit: AuditRepository

    def __init__(self, ctx: RequestContext, session: Session | None = None) -> None:
        self.ctx = ctx
        self._given_session = session
        self._session: Session | None = None
        self._depth = 0

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session

    def __enter__(self) -> UnitOfWork:
        if self._depth == 0:
            self._session = self._given_session or open_session()
            ids = (self.ctx.client_account_id, self.ctx.engagement_id)
            bind_tenant(self._session, *ids)
            self.flows = CollectionFlowRepository(self._session, *ids)
            self.assets = AssetRepository(self._session, *ids)
            self.gaps = GapRepository(self._session, *ids)
            self.questionnaires = QuestionnaireRepository(self._session, *ids)
            self.audit = AuditRepository(self._session, *ids)
        self._depth += 1
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth:
            # A use case called by another shares its transaction: the outer block decides.
            return
        session = self.session
        try:
            if exc_type is None:
                session.commit()
            else:
                session.rollback()
        finally:
            if self._given_session is None:
                session.close()
            self._session = None

    def flow(self, flow_id: str | uuid.UUID) -> CollectionFlow:
        """The engagement's flow with that master flow_id; 404 when there is none (another
        tenant's flow included)."""
        flow = self.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"))
        if flow is None:
            raise NotFound("Flow not found")
        return flow

    def require(self, action: Action) -> None:
        """Refuse (403) unless the caller, as the database knows them now, may do `action`."""
        require(self.session, self.ctx, action)

    def commit(self) -> None:
        """Save what is done so far (a worker saves each gap on its own)."""
        self.session.commit()

    def rollback(self) -> None:
        self.session.rollback()


def uow_for(ctx: RequestContext, session: Session | None = None) -> UnitOfWork:
    return UnitOfWork(ctx, session)
