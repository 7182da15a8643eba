"""One asset's gaps across the engagement's flows, and so the flows it is collected in."""

from typing import Any

from core.kernel.errors import BadRequest, NotFound
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork


def asset_gaps(uow: UnitOfWork, asset_id: str) -> list[dict[str, Any]]:
    """Each gap of the asset with the flow it is in (flow_id, name, phase); 404 for an asset
    of another tenant or none."""
    uow.require(Action.VIEW)
    asset_uuid = parse_uuid(asset_id, "asset_id")
    if uow.assets.get(asset_uuid) is None:
        raise NotFound("Asset not found")
    return [
        {
            "flow_id": str(flow_id),
            "flow_name": flow_name,
            "phase": phase,
            "field_name": gap.field_name,
            "gap_type": gap.gap_type,
            "priority": gap.priority,
            "status": gap.resolution_status,
            "predicted_value": gap.predicted_value,
            "resolved_value": gap.resolved_value,
        }
        for gap, (flow_id, flow_name, phase) in uow.gaps.for_asset(asset_uuid)
    ]


def asset_name(uow: UnitOfWork, asset_id: str) -> str | None:
    """The name of the asset an address names, None when it names none of this engagement's
    (unknown, malformed or another tenant's: all read the same)."""
    uow.require(Action.VIEW)
    try:
        asset = uow.assets.get(parse_uuid(asset_id, "asset_id"))
    except BadRequest:
        return None
    return None if asset is None else str(asset.name)
