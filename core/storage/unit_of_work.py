"""A tenant-bound unit of work: one session, one tenant, the repositories, commit or roll back.

`with engagement_uow(ctx) as uow:` opens its own session (or works over one it is given, as the
entry points for plain sessions pass theirs), binds the tenant once (row-level security included),
exposes the tenant's repositories, commits when the block ends and rolls back on any error.
Use cases take a unit of work; no caller half-owns a transaction.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from core.kernel.context import RequestContext, Role
from core.kernel.errors import NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action, require, require_client_wide, standing
from core.storage.account_unit_of_work import AccountUnitOfWork
from core.storage.assets import AssetRepository
from core.storage.audit import AuditRepository
from core.storage.flows import CollectionFlowRepository
from core.storage.gap_counts import GapCountRepository
from core.storage.gaps import GapRepository
from core.storage.import_mappings import ImportMappingRepository
from core.storage.open_questions import OpenQuestionRepository
from core.storage.owner_requests import OwnerRequestRepository
from core.storage.questionnaires import QuestionnaireRepository
from db.models import CollectionFlow
from db.session import begin_read, bind_tenant


class UnitOfWork(AccountUnitOfWork):
    """The tenant's repositories over one session; a block of work commits or rolls back.

    The session's lifecycle (nesting, commit, rollback, close) is the account unit of work's;
    this one binds the tenant once and builds its repositories when the session opens.
    """

    flows: CollectionFlowRepository
    assets: AssetRepository
    gaps: GapRepository
    gap_counts: GapCountRepository
    questionnaires: QuestionnaireRepository
    open_questions: OpenQuestionRepository
    audit: AuditRepository
    import_mappings: ImportMappingRepository
    owner_requests: OwnerRequestRepository

    def __init__(self, ctx: RequestContext, session: Session | None = None) -> None:
        super().__init__(session)
        self.ctx = ctx
        self._checked = False  # whether the open block has checked the caller yet
        self._standing: tuple[Role, bool | None] | None = None

    def _opened(self, session: Session) -> None:
        self._checked = False
        self._standing = None
        ids = (self.ctx.client_account_id, self.ctx.engagement_id)
        bind_tenant(session, *ids)
        self.flows = CollectionFlowRepository(session, *ids)
        self.assets = AssetRepository(session, *ids)
        self.gaps = GapRepository(session, *ids)
        self.gap_counts = GapCountRepository(session, *ids)
        self.questionnaires = QuestionnaireRepository(session, *ids)
        self.open_questions = OpenQuestionRepository(session, *ids)
        self.audit = AuditRepository(session, *ids)
        self.import_mappings = ImportMappingRepository(session, *ids)
        self.owner_requests = OwnerRequestRepository(session, *ids)

    def flow(self, flow_id: str | uuid.UUID) -> CollectionFlow:
        """The engagement's flow with that master flow_id; 404 when there is none (another
        tenant's flow included)."""
        flow = self.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"))
        if flow is None:
            raise NotFound("Flow not found")
        return flow

    def flow_without_selection(self, flow_id: str | uuid.UUID) -> CollectionFlow:
        """`flow(flow_id)` leaving its selection unread until used: for reads of the flow's
        state (its phase, status, history)."""
        flow = self.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"), selection=False)
        if flow is None:
            raise NotFound("Flow not found")
        return flow

    def collection_flow_id(self, flow_id: str | uuid.UUID) -> uuid.UUID:
        """`flow(flow_id).id` without reading the flow's row: for reads that need only the id
        (a page of gaps, a job's progress); 404 as `flow`."""
        found = self.flows.id_of(parse_uuid(flow_id, "flow_id"))
        if found is None:
            raise NotFound("Flow not found")
        return found

    def require(self, action: Action) -> None:
        """Refuse (403) unless the caller, as the database knows them now, may do `action`.

        Work whose first check is to view only reads: on SQLite its transaction is a read,
        which a long phase's write lock never holds up (see `begin_read`). The caller's
        standing is read once per transaction: several reads made in one unit of work check
        the person once, not once each.
        """
        if action is Action.VIEW and not self._checked:
            begin_read(self.session)
        self._checked = True
        if self._standing is None:
            self._standing = standing(self.session, self.ctx)
        require(self.session, self.ctx, action, known=self._standing)

    def commit(self) -> None:
        super().commit()
        self._standing = None  # the next transaction reads the caller's standing anew

    def rollback(self) -> None:
        super().rollback()
        self._standing = None

    def require_client_wide(self, action: Action) -> None:
        """`require`, by an admin of all the client's engagements (403 for one of one)."""
        require_client_wide(self.session, self.ctx, action)


def engagement_uow(ctx: RequestContext, session: Session | None = None) -> UnitOfWork:
    return UnitOfWork(ctx, session)
