"""Collection flows and their master flows, of one tenant."""

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from core.storage.dialect import is_postgresql
from core.storage.tenant_repository import TenantRepository
from db.models import CollectionFlow, MasterFlow


class CollectionFlowRepository(TenantRepository):
    def get_by_master_flow_id(
        self, flow_id: uuid.UUID, *, for_update: bool = False, selection: bool = True
    ) -> CollectionFlow | None:
        """The flow; `selection=False` leaves its configuration (the selection of a whole
        estate, megabytes of JSON) unread until used."""
        query = self._scoped(select(CollectionFlow), CollectionFlow).where(
            CollectionFlow.flow_id == flow_id
        )
        if not selection:
            query = query.options(defer(CollectionFlow.collection_config))
        if for_update:
            # Locks the child and its joined master: executions of one flow never interleave.
            query = query.with_for_update()
        return self.db.scalars(query).first()

    def selection_size(self, flow_id: uuid.UUID) -> int | None:
        """How many assets the flow's selection holds, counted by the database (None: no such
        flow)."""
        config = CollectionFlow.collection_config
        if is_postgresql(self.db):
            size = func.jsonb_array_length(config["selected_asset_ids"])
        else:
            size = func.json_array_length(config, "$.selected_asset_ids")
        query = self._scoped(select(func.coalesce(size, 0)), CollectionFlow).where(
            CollectionFlow.flow_id == flow_id
        )
        found = self.db.execute(query).first()
        return None if found is None else int(found[0])

    def id_of(self, flow_id: uuid.UUID) -> uuid.UUID | None:
        """The collection flow's own id for a master flow_id, reading nothing else of the row
        (whose selection of a whole estate is megabytes of JSON)."""
        query = self._scoped(select(CollectionFlow.id), CollectionFlow).where(
            CollectionFlow.flow_id == flow_id
        )
        return self.db.scalar(query)

    def get_by_id(self, collection_flow_id: uuid.UUID) -> CollectionFlow | None:
        query = self._scoped(select(CollectionFlow), CollectionFlow).where(
            CollectionFlow.id == collection_flow_id
        )
        return self.db.scalars(query).first()

    def get_without_selection(
        self, collection_flow_id: uuid.UUID, *, for_update: bool = False
    ) -> CollectionFlow | None:
        """`get_by_id` leaving the flow's configuration unread until used: a job or a phase
        change needs the row's state, not the selection of a whole estate (megabytes of JSON)."""
        query = (
            self._scoped(select(CollectionFlow), CollectionFlow)
            .where(CollectionFlow.id == collection_flow_id)
            .options(defer(CollectionFlow.collection_config))
        )
        if for_update:
            # Locks the child and its joined master, as `get_by_master_flow_id` does.
            query = query.with_for_update()
        return self.db.scalars(query).first()

    def get_master(self, flow_id: uuid.UUID) -> MasterFlow | None:
        query = self._scoped(select(MasterFlow), MasterFlow).where(MasterFlow.flow_id == flow_id)
        return self.db.scalars(query).first()

    def list_flows(
        self,
        *,
        phases: Sequence[str] = (),
        statuses: Sequence[str] = (),
        tiers: Sequence[str] = (),
        name_contains: str = "",
        limit: int = 200,
        offset: int = 0,
    ) -> list[CollectionFlow]:
        # The selection of a whole estate (megabytes of JSON) is left unread: a list shows the
        # flows' state, and a flow's page asks for its selection on its own.
        query = self._scoped(select(CollectionFlow), CollectionFlow).options(
            defer(CollectionFlow.collection_config)
        )
        if phases:
            query = query.where(CollectionFlow.current_phase.in_(phases))
        if statuses:
            query = query.where(CollectionFlow.status.in_(statuses))
        if tiers:
            query = query.where(CollectionFlow.automation_tier.in_(tiers))
        if name_contains:
            query = query.where(
                func.lower(CollectionFlow.flow_name).contains(
                    name_contains.lower(), autoescape=True
                )
            )
        query = query.order_by(CollectionFlow.updated_at.desc()).limit(limit).offset(offset)
        return list(self.db.scalars(query))

    def add(self, master: MasterFlow, child: CollectionFlow) -> None:
        if (master.client_account_id, master.engagement_id) != (
            self.client_account_id,
            self.engagement_id,
        ) or (child.client_account_id, child.engagement_id) != (
            self.client_account_id,
            self.engagement_id,
        ):
            raise ValueError("flow belongs to another tenant")
        self.db.add(master)
        self.db.flush()
        self.db.add(child)
