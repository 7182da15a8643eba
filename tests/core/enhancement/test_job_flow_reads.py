"""A gap job reads its flow's row a fixed number of times, never its selection: the selection
of a whole estate is megabytes of JSON, and a job of 200 gaps must not read it per gap."""

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from core.enhancement import jobs as gap_jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.worker import run_gap_enhancement_job
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator

pytestmark = pytest.mark.both_backends

FIELDS = ("business_owner", "environment")
READS_FLOWS = re.compile(r"^\s*SELECT\b.*\b(FROM|JOIN)\s+collection_flows\b", re.S | re.I)


class StatementLog:
    """The statements an engine sends while it is listened to."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def flow_reads(self) -> list[str]:
        return [s for s in self.statements if READS_FLOWS.search(s)]


@pytest.fixture
def statements(db) -> Iterator[StatementLog]:
    log = StatementLog()
    engine: Engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", log)
    yield log
    event.remove(engine, "before_cursor_execute", log)


def submitted_job(db, tenant, dispatcher, make_assets, gap_count: int) -> dict:
    """A flow in gap_analysis with `gap_count` gaps submitted; the job a worker would run."""
    assets = make_assets(tenant, gap_count // len(FIELDS), business_owner=None, environment="TBD")
    make_assets(tenant, 4)  # complete peers: evidence for predictions
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name=f"{gap_count} gaps")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    gaps = [
        {"field_name": field, "gap_type": "missing", "asset_id": str(a.id), "asset_name": a.name}
        for a in assets
        for field in FIELDS
    ]
    gap_jobs.submit_gap_analysis(db, tenant, flow_id, gaps)
    return dispatcher.jobs[-1]


def test_a_job_reads_its_flow_as_often_for_any_number_of_gaps_and_never_its_selection(
    db, tenant, dispatcher, make_assets, statements
):
    engine = db.get_bind()
    store = job_store_for(engine)
    reads = {}
    for gap_count in (2, 16):
        job = submitted_job(db, tenant, dispatcher, make_assets, gap_count)
        statements.statements.clear()
        final = run_gap_enhancement_job(lambda: type(db)(bind=engine), store, **job)
        assert final is not None and final.status is JobStatus.COMPLETED
        assert final.processed == gap_count and not final.failed_indexes
        reads[gap_count] = statements.flow_reads()
        assert not [s for s in reads[gap_count] if "collection_config" in s]
    # The existence check, the lock before the phase moves on, the phase change's read.
    assert len(reads[2]) == len(reads[16]) <= 3
