"""Read use cases: flows, gaps and questionnaires of the caller's engagement."""

from collections.abc import Sequence

from pydantic import Field

from core.flows.orchestrator import AutomationTier
from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.errors import BadRequest, NotFound
from core.kernel.inputs import MAX_FILTER_LENGTH, parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase, FlowStatus
from core.questionnaires.generation import list_for_flow
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow, Questionnaire

MAX_PAGE_SIZE = 1000


class FlowFilters(InputModel):
    """The Flows page's filters and window; empty fields filter nothing."""

    phases: tuple[CollectionPhase, ...] = Field(default=(), title="Phases")
    statuses: tuple[FlowStatus, ...] = Field(default=(), title="Statuses")
    tiers: tuple[AutomationTier, ...] = Field(default=(), title="Automation tiers")
    name_contains: CleanText = Field(
        default="", max_length=MAX_FILTER_LENGTH, title="Flow name contains"
    )
    limit: int = Field(default=200, ge=1, le=MAX_PAGE_SIZE, strict=True, title="Page size")
    offset: int = Field(default=0, ge=0, le=10**9, strict=True, title="Offset")


def list_flows(
    uow: UnitOfWork,
    *,
    phases: Sequence[str] = (),
    statuses: Sequence[str] = (),
    tiers: Sequence[str] = (),
    name_contains: str = "",
    limit: int = 200,
    offset: int = 0,
) -> list[CollectionFlow]:
    """The engagement's flows, most recently changed first."""
    uow.require(Action.VIEW)
    filters = parse_input(
        FlowFilters,
        {
            "phases": phases,
            "statuses": statuses,
            "tiers": tiers,
            "name_contains": name_contains,
            "limit": limit,
            "offset": offset,
        },
    )
    return uow.flows.list_flows(**filters.model_dump())


def get_flow(uow: UnitOfWork, flow_id: str) -> CollectionFlow:
    """The flow of this engagement with that master flow_id, or a 404."""
    uow.require(Action.VIEW)
    return uow.flow(flow_id)


def selected_asset_count(uow: UnitOfWork, flow_id: str) -> int:
    """How many assets the flow's selection holds (a listed flow leaves its selection unread)."""
    uow.require(Action.VIEW)
    size = uow.flows.selection_size(parse_uuid(flow_id, "flow_id"))
    if size is None:
        raise NotFound("Flow not found")
    return size


def find_flow(uow: UnitOfWork, flow_id: str) -> CollectionFlow | None:
    """The flow an address names, or None when it names none of this engagement (unknown,
    malformed, or another tenant's: all three read the same)."""
    uow.require(Action.VIEW)
    try:
        flow_uuid = parse_uuid(flow_id, "flow_id")
    except BadRequest:
        return None
    return uow.flows.get_by_master_flow_id(flow_uuid)


def list_questionnaires(uow: UnitOfWork, flow_id: str) -> list[Questionnaire]:
    """The flow's questionnaires, one per asset, by title."""
    return list_for_flow(uow, get_flow(uow, flow_id))
