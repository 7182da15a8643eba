"""Test data built through the real use cases, and a fingerprint of every table."""

import hashlib

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.child_flow_service import CollectionChildFlowService
from core.context import RequestContext
from core.flows import list_questionnaires
from core.orchestrator import MasterFlowOrchestrator
from db.models import Base


def flow_in_manual_collection(db: Session, ctx: RequestContext, assets, name="Collecting") -> str:
    """A flow of `ctx` (analyst or admin) that scanned `assets` and waits for answers."""
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=name)
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id) for asset in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    assert list_questionnaires(db, ctx, flow_id), "the assets must have gaps to ask about"
    return flow_id


def fingerprint(db: Session, owner_engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every table, read by the owner (who sees every tenant).

    The test's session commits first: whatever a refused call left pending would show.
    """
    db.commit()
    result = {}
    with Session(owner_engine) as owner:
        for table in Base.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in owner.execute(select(table)))
            result[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        owner.rollback()
    return result
