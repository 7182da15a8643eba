"""Read use cases: flows, gaps and questionnaires of the caller's engagement."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from core.catalogue.attributes import GapCategory
from core.flows.orchestrator import AUTOMATION_TIERS
from core.flows.phases import CollectionPhase, FlowStatus
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, NotFound
from core.kernel.inputs import MAX_FILTER_LENGTH, parse_choice, parse_int, parse_text, parse_uuid
from core.kernel.permissions import Action, require
from core.questionnaires.generation import list_for_flow
from core.storage.flows import CollectionFlowRepository
from core.storage.gaps import GapRepository
from db.models import CollectionDataGap, CollectionFlow, Questionnaire

MAX_PAGE_SIZE = 1000
GAP_STATUSES = ("pending", "resolved", "skipped")


def _choices(values: Sequence[str], field: str, allowed: Sequence[str]) -> list[str]:
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise BadRequest(f"{field} must be a list", field=field)
    return [parse_choice(value, field, allowed) for value in values]


def list_flows(
    db: Session,
    ctx: RequestContext,
    *,
    phases: Sequence[str] = (),
    statuses: Sequence[str] = (),
    tiers: Sequence[str] = (),
    name_contains: str = "",
    limit: int = 200,
    offset: int = 0,
) -> list[CollectionFlow]:
    require(db, ctx, Action.VIEW)
    return CollectionFlowRepository(db, ctx.client_account_id, ctx.engagement_id).list_flows(
        phases=_choices(phases, "phases", list(CollectionPhase)),
        statuses=_choices(statuses, "statuses", list(FlowStatus)),
        tiers=_choices(tiers, "tiers", AUTOMATION_TIERS),
        name_contains=parse_text(
            name_contains,
            "name_contains",
            max_length=MAX_FILTER_LENGTH,
            required=False,
            label="the name search",
        ),
        limit=parse_int(limit, "limit", minimum=1, maximum=MAX_PAGE_SIZE),
        offset=parse_int(offset, "offset", minimum=0, maximum=10**9),
    )


def get_flow(db: Session, ctx: RequestContext, flow_id: str) -> CollectionFlow:
    require(db, ctx, Action.VIEW)
    flow = CollectionFlowRepository(
        db, ctx.client_account_id, ctx.engagement_id
    ).get_by_master_flow_id(parse_uuid(flow_id, "flow_id"))
    if flow is None:
        raise NotFound("Flow not found")
    return flow


def list_gaps(
    db: Session,
    ctx: RequestContext,
    flow_id: str,
    *,
    statuses: Sequence[str] = (),
    priorities: Sequence[int] = (),
    categories: Sequence[str] = (),
) -> list[CollectionDataGap]:
    flow = get_flow(db, ctx, flow_id)
    statuses = _choices(statuses, "statuses", GAP_STATUSES)
    wanted_categories = set(_choices(categories, "categories", list(GapCategory)))
    priorities = [parse_int(value, "priorities", minimum=1, maximum=4) for value in priorities]
    gaps = GapRepository(db, ctx.client_account_id, ctx.engagement_id).for_flow(
        flow.id, statuses=statuses, priorities=priorities
    )
    if wanted_categories:
        gaps = [gap for gap in gaps if gap.gap_category in wanted_categories]
    return gaps


def list_questionnaires(db: Session, ctx: RequestContext, flow_id: str) -> list[Questionnaire]:
    return list_for_flow(db, get_flow(db, ctx, flow_id))
