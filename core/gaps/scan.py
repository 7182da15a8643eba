"""The gap-analysis phase: scan selected assets against the critical-attribute catalogue."""

from collections import Counter
from collections.abc import Callable
from typing import Any

from core.catalogue.attributes import GapType, attributes_for, read_asset_value
from core.catalogue.values import classify_value
from core.gaps.store import upsert_gaps
from core.kernel.inputs import parse_uuid
from core.storage.dialect import refresh_statistics, write_batch_rows
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow

SCANNER = "critical_attribute_scan"


def gaps_of_asset(asset: Any) -> list[dict[str, Any]]:
    """One gap row per catalogue attribute that the asset lacks or holds a bad value for."""
    rows = []
    for attribute in attributes_for(asset.asset_type):
        value = read_asset_value(asset, attribute)
        gap_type = classify_value(attribute, value)
        if gap_type is None:
            continue
        if gap_type is GapType.MISSING:
            description = f"{attribute.label} is not recorded for {asset.name}."
        else:
            description = f"{attribute.label} of {asset.name} is {str(value)[:80]!r}, not usable."
        rows.append(
            {
                "asset_id": asset.id,
                "field_name": attribute.name,
                "gap_type": gap_type.value,
                "gap_category": attribute.category.value,
                "priority": attribute.priority,
                "impact_on_sixr": attribute.sixr_impact,
                "description": description,
                "suggested_resolution": f"Ask the owner: {attribute.help}",
                "source_agent": SCANNER,
            }
        )
    return rows


def scan_flow_gaps(
    uow: UnitOfWork,
    flow: CollectionFlow,
    *,
    batch_size: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Upsert a pending gap for every missing or invalid attribute of the selected assets;
    `progress(assets scanned, assets selected)` after each batch of assets read and of gaps
    written (`batch_size` rows, by default the dialect's: a run on SQLite commits there)."""
    batch_size = batch_size or write_batch_rows(uow.session)
    selected = [
        parse_uuid(value, "selected_asset_ids")
        for value in flow.collection_config.get("selected_asset_ids", [])
    ]
    by_type: Counter[str] = Counter()
    pending_rows: list[dict[str, Any]] = []
    persisted = scanned = critical = 0
    for batch in uow.assets.iter_scan_rows(selected):
        for asset in batch:
            scanned += 1
            for row in gaps_of_asset(asset):
                row["collection_flow_id"] = flow.id
                by_type[row["gap_type"]] += 1
                critical += row["priority"] == 1
                pending_rows.append(row)
            if len(pending_rows) >= batch_size:
                persisted += upsert_gaps(uow.session, pending_rows)
                pending_rows = []
                if progress is not None:
                    progress(scanned, len(selected))
        if progress is not None:
            progress(scanned, len(selected))
    persisted += upsert_gaps(uow.session, pending_rows)
    refresh_statistics(uow.session, "collection_data_gaps", persisted)
    uow.gap_counts.fold(flow.id)  # the batches' count changes, one row per group again
    pending = uow.gaps.count_pending(flow.id)
    return {
        "status": "completed",
        "assets_scanned": scanned,
        "gaps_persisted": persisted,
        "critical_gaps": critical,
        "gaps_by_type": dict(by_type),
        "has_pending_gaps": pending > 0,
        "pending_gaps": pending,
    }
