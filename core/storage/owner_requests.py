"""Requests to owners and owners assigned by hand, of one tenant; the reads they need."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from core.storage.dialect import is_postgresql
from core.storage.tenant_repository import TenantRepository
from db.models import (
    Asset,
    CollectionDataGap,
    CollectionFlow,
    Engagement,
    Membership,
    OwnerRequest,
    QuestionAssignment,
    Questionnaire,
    QuestionnaireResponse,
    User,
)

IN_LIST_CHUNK = 1000


class OwnerRequestRepository(TenantRepository):
    def for_flow(self, collection_flow_id: uuid.UUID) -> list[OwnerRequest]:
        query = self._scoped(select(OwnerRequest), OwnerRequest).where(
            OwnerRequest.collection_flow_id == collection_flow_id
        )
        return list(self.db.scalars(query.order_by(OwnerRequest.owner_email)))

    def for_owner_range(
        self, collection_flow_id: uuid.UUID, first: str, last: str
    ) -> list[OwnerRequest]:
        """The flow's requests of owners from `first` to `last` by address (a batch of a send,
        whose owners go in that order): a range, which stays cheap however the table is planned,
        where a list of hundreds of addresses is compared row by row. Compared byte by byte, as
        Python sorted them, not in the database's language order."""
        email = OwnerRequest.owner_email
        in_order = email.collate("C") if is_postgresql(self.db) else email
        query = self._scoped(select(OwnerRequest), OwnerRequest).where(
            OwnerRequest.collection_flow_id == collection_flow_id, in_order.between(first, last)
        )
        return list(self.db.scalars(query))

    def of_engagement(self) -> list[OwnerRequest]:
        query = self._scoped(select(OwnerRequest), OwnerRequest)
        return list(self.db.scalars(query.order_by(OwnerRequest.owner_email)))

    def get(self, request_id: uuid.UUID, *, for_update: bool = False) -> OwnerRequest | None:
        query = self._scoped(select(OwnerRequest), OwnerRequest).where(
            OwnerRequest.id == request_id
        )
        if for_update:
            query = query.with_for_update()
        return self.db.scalars(query).first()

    def by_ids(self, request_ids: Sequence[uuid.UUID]) -> list[OwnerRequest]:
        query = self._scoped(select(OwnerRequest), OwnerRequest).where(
            OwnerRequest.id.in_(list(request_ids))
        )
        return list(self.db.scalars(query))

    def add(self, request: OwnerRequest) -> None:
        request.client_account_id = self.client_account_id
        request.engagement_id = self.engagement_id
        self.db.add(request)

    def assignments(self, collection_flow_id: uuid.UUID) -> dict[str, QuestionAssignment]:
        """The flow's owners given by hand, by question (gap) id."""
        query = self._scoped(select(QuestionAssignment), QuestionAssignment).where(
            QuestionAssignment.collection_flow_id == collection_flow_id
        )
        return {str(row.gap_id): row for row in self.db.scalars(query)}

    def add_assignment(self, assignment: QuestionAssignment) -> None:
        assignment.client_account_id = self.client_account_id
        assignment.engagement_id = self.engagement_id
        self.db.add(assignment)

    def pending_gap_ids(self, collection_flow_id: uuid.UUID) -> set[str]:
        query = (
            self._scoped(
                select(CollectionDataGap.id).join(
                    CollectionFlow, CollectionFlow.id == CollectionDataGap.collection_flow_id
                ),
                CollectionFlow,
            )
            .where(CollectionDataGap.collection_flow_id == collection_flow_id)
            .where(CollectionDataGap.resolution_status == "pending")
        )
        return {str(gap_id) for gap_id in self.db.scalars(query)}

    def asset_owners(
        self, asset_ids: Sequence[uuid.UUID] | None = None
    ) -> dict[uuid.UUID, tuple[str, str | None, str | None]]:
        """The assets' (all, or these) name, technical owner and business owner."""
        query = self._scoped(
            select(Asset.id, Asset.name, Asset.technical_owner, Asset.business_owner), Asset
        )
        if asset_ids is None:
            return {row[0]: (row[1], row[2], row[3]) for row in self.db.execute(query)}
        owners = {}
        for start in range(0, len(asset_ids), IN_LIST_CHUNK):
            chunk = query.where(self._ids_in(Asset.id, asset_ids[start : start + IN_LIST_CHUNK]))
            owners.update({row[0]: (row[1], row[2], row[3]) for row in self.db.execute(chunk)})
        return owners

    def asset_ids_of_questions(self, gap_ids: Sequence[str]) -> list[uuid.UUID]:
        """The assets these questions (gaps) are about."""
        ids = [uuid.UUID(gap_id) for gap_id in gap_ids]
        found: set[uuid.UUID] = set()
        for start in range(0, len(ids), IN_LIST_CHUNK):
            query = select(CollectionDataGap.asset_id).where(
                self._ids_in(CollectionDataGap.id, ids[start : start + IN_LIST_CHUNK])
            )
            found.update(self.db.scalars(query))
        return sorted(found)

    def questionnaires_of_assets(
        self, collection_flow_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[Questionnaire]:
        """The flow's questionnaires of these assets, by title."""
        found: list[Questionnaire] = []
        for start in range(0, len(asset_ids), IN_LIST_CHUNK):
            query = (
                self._scoped(
                    select(Questionnaire).join(
                        CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id
                    ),
                    CollectionFlow,
                )
                .where(Questionnaire.collection_flow_id == collection_flow_id)
                .where(
                    self._ids_in(Questionnaire.asset_id, asset_ids[start : start + IN_LIST_CHUNK])
                )
            )
            found.extend(self.db.scalars(query))
        return sorted(found, key=lambda questionnaire: questionnaire.title)

    def manager_emails(self) -> list[str]:
        """The addresses of the engagement's active managers (and of the whole client's)."""
        query = (
            select(User.email)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.client_account_id == self.client_account_id,
                or_(
                    Membership.engagement_id.is_(None),
                    Membership.engagement_id == self.engagement_id,
                ),
                Membership.role == "manager",
                User.is_active.is_(True),
            )
            .distinct()
        )
        return sorted(self.db.scalars(query))

    def asset_names_of_questions(self, gap_ids: Sequence[str]) -> dict[str, str]:
        """The asset each question (gap) is about, by the question's id: two lookups by key
        (a join under both tables' row-level security was planned as a scan of every gap)."""
        asset_of: dict[str, uuid.UUID] = {}
        ids = [uuid.UUID(gap_id) for gap_id in gap_ids]
        for start in range(0, len(ids), IN_LIST_CHUNK):
            query = select(CollectionDataGap.id, CollectionDataGap.asset_id).where(
                self._ids_in(CollectionDataGap.id, ids[start : start + IN_LIST_CHUNK])
            )
            asset_of.update({str(gap_id): asset_id for gap_id, asset_id in self.db.execute(query)})
        names: dict[uuid.UUID, str] = {}
        asset_ids = sorted(set(asset_of.values()))
        for start in range(0, len(asset_ids), IN_LIST_CHUNK):
            chunk = asset_ids[start : start + IN_LIST_CHUNK]
            query = self._scoped(select(Asset.id, Asset.name), Asset).where(
                self._ids_in(Asset.id, chunk)
            )
            names.update({asset_id: str(name) for asset_id, name in self.db.execute(query)})
        return {
            gap_id: names[asset_id] for gap_id, asset_id in asset_of.items() if asset_id in names
        }

    def _ids_in(self, column: Any, ids: Sequence[uuid.UUID]) -> Any:
        """`column IN ids`; on PostgreSQL one array parameter instead of one per id."""
        if is_postgresql(self.db):
            return column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid)))
        return column.in_(ids)

    def engagement_name(self) -> str:
        query = select(Engagement.name).where(
            Engagement.id == self.engagement_id,
            Engagement.client_account_id == self.client_account_id,
        )
        return self.db.scalar(query) or ""

    def link_answers(self, collection_flow_id: uuid.UUID) -> list[tuple[datetime, str]]:
        """When each answer given by an owner's link was saved, and by whom."""
        query = self._scoped(
            select(QuestionnaireResponse.value, QuestionnaireResponse.updated_at)
            .join(Questionnaire, Questionnaire.id == QuestionnaireResponse.questionnaire_id)
            .join(CollectionFlow, CollectionFlow.id == Questionnaire.collection_flow_id),
            CollectionFlow,
        ).where(Questionnaire.collection_flow_id == collection_flow_id)
        return [
            (saved_at, value["answered_via_link"])
            for value, saved_at in self.db.execute(query)
            if isinstance(value, dict) and value.get("answered_via_link")
        ]

    def owners_asked(
        self, collection_flow_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[int, int]]:
        """Per flow: how many owners were sent its questions, and how many of them answered at
        least one by their link. One grouped read for a whole list of flows."""
        if not collection_flow_ids:
            return {}
        answered = (
            select(QuestionnaireResponse.id)
            .join(Questionnaire, Questionnaire.id == QuestionnaireResponse.questionnaire_id)
            .where(
                Questionnaire.collection_flow_id == OwnerRequest.collection_flow_id,
                QuestionnaireResponse.value["answered_via_link"].as_string()
                == OwnerRequest.owner_email,
            )
            .exists()
        )
        query = (
            self._scoped(
                select(
                    OwnerRequest.collection_flow_id,
                    func.count(),
                    func.count().filter(answered),
                ),
                OwnerRequest,
            )
            .where(OwnerRequest.collection_flow_id.in_(list(collection_flow_ids)))
            .group_by(OwnerRequest.collection_flow_id)
        )
        return {flow: (owners, replied) for flow, owners, replied in self.db.execute(query)}
