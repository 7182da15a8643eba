"""The asset picker's read model: the engagement's assets, filtered by type and environment."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints
from sqlalchemy import Select, func, select

from core.catalogue.attributes import ASSET_TYPES
from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.inputs import MAX_FILTER_LENGTH, parse_int
from core.kernel.permissions import Action
from core.storage.tenant_repository import TenantRepository
from core.storage.unit_of_work import UnitOfWork
from db.models import Asset

MAX_ASSET_PAGE = 2000
ASSET_COLUMNS = (
    "id",
    "name",
    "asset_type",
    "environment",
    "operating_system",
    "business_criticality",
    "technical_owner",
)


class AssetFilters(InputModel):
    asset_types: tuple[Literal[ASSET_TYPES], ...] = Field((), title="Asset types")  # type: ignore[valid-type]
    environments: tuple[Annotated[CleanText, StringConstraints(max_length=50)], ...] = Field(
        (), title="Environments"
    )
    name_contains: CleanText = Field("", max_length=MAX_FILTER_LENGTH, title="Asset name contains")


@dataclass(frozen=True)
class AssetPage:
    rows: list[dict[str, Any]]
    total: int
    environments: list[str]  # every environment of the engagement, for the filter


class AssetListingRepository(TenantRepository):
    def _filtered(self, filters: AssetFilters) -> Select:
        query = self._scoped(select(Asset), Asset)
        if filters.asset_types:
            query = query.where(Asset.asset_type.in_(filters.asset_types))
        if filters.environments:
            query = query.where(Asset.environment.in_(filters.environments))
        if filters.name_contains:
            query = query.where(
                func.lower(Asset.name).contains(filters.name_contains.lower(), autoescape=True)
            )
        return query

    def page(self, filters: AssetFilters, limit: int, offset: int) -> list[dict[str, Any]]:
        columns = [getattr(Asset, name) for name in ASSET_COLUMNS]
        query = (
            self._filtered(filters)
            .with_only_columns(*columns)
            .order_by(Asset.name)
            .limit(limit)
            .offset(offset)
        )
        return [dict(row._mapping) for row in self.db.execute(query)]

    def count(self, filters: AssetFilters) -> int:
        return self.db.scalar(self._filtered(filters).with_only_columns(func.count())) or 0

    def ids(self, filters: AssetFilters) -> list[uuid.UUID]:
        return list(self.db.scalars(self._filtered(filters).with_only_columns(Asset.id)))

    def environments(self) -> list[str]:
        query = (
            self._scoped(select(Asset.environment).distinct(), Asset)
            .where(Asset.environment.is_not(None))
            .order_by(Asset.environment)
        )
        return list(self.db.scalars(query))


def _repository(uow: UnitOfWork) -> AssetListingRepository:
    uow.require(Action.VIEW)
    ctx = uow.ctx
    return AssetListingRepository(uow.session, ctx.client_account_id, ctx.engagement_id)


Filters = AssetFilters | Mapping[str, Any]


def page_assets(
    uow: UnitOfWork, filters: Filters | None = None, *, limit: int = 500, offset: int = 0
) -> AssetPage:
    repository = _repository(uow)
    chosen = parse_input(AssetFilters, filters or {})
    limit = parse_int(limit, "limit", minimum=1, maximum=MAX_ASSET_PAGE)
    offset = parse_int(offset, "offset", minimum=0, maximum=10**9)
    return AssetPage(
        rows=repository.page(chosen, limit, offset),
        total=repository.count(chosen),
        environments=repository.environments(),
    )


def matching_asset_ids(uow: UnitOfWork, filters: Filters) -> list[str]:
    """Every asset id the filters match ("select all matching" on the asset picker)."""
    chosen = parse_input(AssetFilters, filters)
    return [str(asset_id) for asset_id in _repository(uow).ids(chosen)]
