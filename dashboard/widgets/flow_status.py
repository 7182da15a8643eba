"""A flow's status as its reader reads it: who it waits for, owners included."""

from core.flows.health import activity
from core.flows.reads import CollectionFlow
from core.kernel.context import RequestContext
from core.kernel.permissions import Action, can
from core.kernel.phases import CollectionPhase
from core.requests.waiting import owners_asked
from dashboard import state


def said(ctx: RequestContext, flow: CollectionFlow) -> str:
    """ "waiting for you", "waiting for an analyst", "waiting on owners: 1 of 2 answered", or
    the status; the requests are read only for a flow in manual collection."""
    asked = (
        state.call(owners_asked, [flow.id], doing="read requests to owners")
        if flow.current_phase == CollectionPhase.MANUAL_COLLECTION
        else {}
    )
    return activity(
        flow.current_phase,
        flow.status,
        may_act=can(ctx, Action.RUN_PHASE),
        owners=asked.get(flow.id),
    )
