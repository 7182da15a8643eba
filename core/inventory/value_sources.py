"""Each value of an asset with where it came from, who gave it, when and how sure it is.

Read by the asset view and by the export ("sources"). A value with no recorded source was
there before sources were recorded (or came with demo data): its source is "unrecorded".
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.catalogue import labels
from core.catalogue.attributes import attributes_for, read_asset_value
from core.inventory.provenance import sources_of
from core.kernel.errors import NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork
from db.models import Asset, CollectionFlow, User

SOURCE_COLUMNS = (
    "asset_name",
    "field_name",
    "value",
    "source",
    "source_detail",
    "source_file",
    "source_row",
    "recorded_by",
    "recorded_at",
    "confidence",
    "asset_id",
)
SOURCE_HEADER = tuple(labels.column_label(column) for column in SOURCE_COLUMNS)


@dataclass(frozen=True)
class SourcedValue:
    asset_name: str
    field_name: str
    attribute: str
    value: Any
    source: str  # import | answer | accepted_prediction | unrecorded
    detail: str
    recorded_by: str | None  # the person's name or email
    recorded_at: datetime | None
    confidence: float | None
    asset_id: uuid.UUID
    file: str | None = None  # an imported value's file and row (1 is the header)
    row: int | None = None


def _people(uow: UnitOfWork, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    ids = [user_id for user_id in set(user_ids) if user_id is not None]
    if not ids:
        return {}
    rows = uow.session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_(ids))
    )
    return {row.id: row.display_name or row.email for row in rows}


def sourced_values(uow: UnitOfWork, assets: Sequence[Asset]) -> list[SourcedValue]:
    """Every catalogue value of these assets (known or with a source), with its source."""
    sources = sources_of(uow).for_assets([asset.id for asset in assets])
    people = _people(uow, (source.recorded_by for source in sources.values()))
    found = []
    for asset in assets:
        for attribute in attributes_for(asset.asset_type):
            value = read_asset_value(asset, attribute)
            source = sources.get((asset.id, attribute.name))
            if value is None and source is None:
                continue
            found.append(
                SourcedValue(
                    asset.name, attribute.name, attribute.label, value,
                    source.kind.value if source else "unrecorded",
                    source.detail if source else "",
                    people.get(source.recorded_by) if source and source.recorded_by else None,
                    source.recorded_at if source else None,
                    source.confidence if source else None,
                    asset.id,
                    source.file if source else None,
                    source.row if source else None,
                )
            )  # fmt: skip
    return found


def asset_value_sources(uow: UnitOfWork, asset_id: str) -> list[SourcedValue]:
    """The asset view: one asset's values and where each came from; 404 for another tenant's."""
    uow.require(Action.VIEW)
    asset = uow.assets.get(parse_uuid(asset_id, "asset_id"))
    if asset is None:
        raise NotFound("Asset not found")
    return sourced_values(uow, [asset])


def value_sources_table(
    uow: UnitOfWork, flow: CollectionFlow
) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """The export of the flow's assets' values with source and confidence, row per value, in
    people's words (the field's label, the source's)."""
    selected = [uuid.UUID(value) for value in flow.collection_config.get("selected_asset_ids", [])]
    assets = sorted(
        (asset for batch in uow.assets.iter_by_ids(selected) for asset in batch),
        key=lambda asset: asset.name,
    )
    rows = [
        (
            item.asset_name,
            item.attribute,
            item.value,
            labels.source_label(item.source),
            item.detail,
            item.file,
            item.row,
            item.recorded_by,
            item.recorded_at,
            item.confidence,
            item.asset_id,
        )  # fmt: skip
        for item in sourced_values(uow, assets)
    ]
    return SOURCE_HEADER, rows
