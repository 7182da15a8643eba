"""The gap scan writes its gaps in batches and reports after each batch of assets read and each
batch of gaps written, so that a run on the embedded SQLite commits between them and holds the
one write lock briefly (there a batch is 500 gap rows, 5,000 on PostgreSQL)."""

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.scan import scan_flow_gaps
from core.storage.dialect import write_batch_rows

pytestmark = pytest.mark.both_backends


def test_the_scan_reports_after_every_batch_of_gaps_it_writes(
    db, backend, uow_of, tenant, make_assets
):
    assets = make_assets(tenant, 3, business_owner=None, environment=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Batches")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    reported: list[tuple[int, int]] = []
    with uow_of(tenant) as uow:
        result = scan_flow_gaps(
            uow, uow.flow(flow_id), batch_size=2, progress=lambda *done: reported.append(done)
        )
    # Two gaps an asset: a write after each asset, then the report of the batch of assets read.
    assert result["gaps_persisted"] == 6
    assert reported == [(1, 3), (2, 3), (3, 3), (3, 3)]
    assert write_batch_rows(db) == {"postgresql": 5000, "sqlite": 500}[backend]
