"""Lists of flows (the Flows page, every flow picker, the Overview's job and phase-run reads),
an asset's gaps, a flow's steps, its jobs and the size of its selection never read the
selection itself: at a whole estate it is megabytes of JSON, and these reads run on every page
run."""

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from core.enhancement.job_history import list_jobs
from core.enhancement.jobs import list_job_states
from core.enhancement.phase_run_health import current_phase_runs
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_steps import flow_steps
from core.flows.reads import list_flows, selected_asset_count
from core.gaps.of_asset import asset_gaps
from core.storage.unit_of_work import engagement_uow

pytestmark = pytest.mark.both_backends

READS_FLOWS = re.compile(r"^\s*SELECT\b.*\b(FROM|JOIN)\s+collection_flows\b", re.S | re.I)
# The column read whole, as one of a row's columns (not within a count of its items).
READS_SELECTION = re.compile(
    r"(\bSELECT|,)\s*collection_flows\.collection_config\s*(,|\bFROM\b)", re.I
)


@pytest.fixture
def flow_reads(db) -> Iterator[list[str]]:
    """The statements that read collection_flows while the test runs."""
    seen: list[str] = []

    def listened(conn, cursor, statement, parameters, context, executemany) -> None:
        if READS_FLOWS.search(statement):
            seen.append(statement)

    engine: Engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", listened)
    yield seen
    event.remove(engine, "before_cursor_execute", listened)


def test_listed_flows_and_an_assets_gaps_leave_the_selection_unread(
    db, tenant, make_assets, flow_reads
):
    assets = make_assets(tenant, 3, business_owner=None, environment="TBD")
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Whole estate")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    service.execute_phase(flow_id, "gap_analysis")
    flow_reads.clear()
    with engagement_uow(tenant, db) as uow:
        listed = list_flows(uow)
        states = list_job_states(uow)
        runs = current_phase_runs(uow)
        gaps = asset_gaps(uow, str(assets[0].id))
        steps = flow_steps(uow, flow_id)
        jobs = list_jobs(uow, flow_id)
        selected = selected_asset_count(uow, flow_id)
    assert flow_reads, "the reads went to the flows"
    assert not [statement for statement in flow_reads if READS_SELECTION.search(statement)]
    assert [str(flow.flow_id) for flow in listed] == [flow_id]
    assert states == [] and runs == {} and jobs == []
    assert selected == 3
    assert {"asset_selection", "gap_analysis"} <= {str(step.phase) for step in steps}
    assert gaps and {(gap["flow_id"], gap["flow_name"]) for gap in gaps} == {
        (flow_id, "Whole estate")
    }
    assert {gap["phase"] for gap in gaps} == {listed[0].current_phase}
