"""The asset picker's read model: the engagement's assets, filtered by type and environment."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from core.catalogue.attributes import ASSET_TYPES
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest
from core.kernel.inputs import MAX_FILTER_LENGTH, parse_choice, parse_int, parse_text
from core.kernel.permissions import Action, require
from core.storage.tenant_repository import TenantRepository
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


@dataclass(frozen=True)
class AssetFilters:
    asset_types: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    name_contains: str = ""

    def __post_init__(self) -> None:
        for name in ("asset_types", "environments"):
            if isinstance(getattr(self, name), str) or not isinstance(
                getattr(self, name), list | tuple
            ):
                raise BadRequest(f"{name} must be a list", field=name)
        object.__setattr__(
            self,
            "asset_types",
            tuple(parse_choice(value, "asset_types", ASSET_TYPES) for value in self.asset_types),
        )
        object.__setattr__(
            self,
            "environments",
            tuple(parse_text(value, "environments", max_length=50) for value in self.environments),
        )
        object.__setattr__(
            self,
            "name_contains",
            parse_text(
                self.name_contains,
                "name_contains",
                max_length=MAX_FILTER_LENGTH,
                required=False,
                label="the name filter",
            ),
        )


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


def _repository(ctx: RequestContext, db: Session) -> AssetListingRepository:
    require(db, ctx, Action.VIEW)
    return AssetListingRepository(db, ctx.client_account_id, ctx.engagement_id)


def page_assets(
    db: Session,
    ctx: RequestContext,
    filters: AssetFilters | None = None,
    *,
    limit: int = 500,
    offset: int = 0,
) -> AssetPage:
    repository = _repository(ctx, db)
    filters = filters or AssetFilters()
    limit = parse_int(limit, "limit", minimum=1, maximum=MAX_ASSET_PAGE)
    offset = parse_int(offset, "offset", minimum=0, maximum=10**9)
    return AssetPage(
        rows=repository.page(filters, limit, offset),
        total=repository.count(filters),
        environments=repository.environments(),
    )


def matching_asset_ids(db: Session, ctx: RequestContext, filters: AssetFilters) -> list[str]:
    """Every asset id the filters match ("select all matching" on the asset picker)."""
    return [str(asset_id) for asset_id in _repository(ctx, db).ids(filters)]
