"""A value means the same wherever it is read: importing a row, scanning an asset, validating
an answer all go through one number parser (core/catalogue/numbers.py)."""

import pytest
from sqlalchemy import select

from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps
from core.inventory.importer import import_assets
from core.questionnaires.answers import save_answers
from db.models import Asset
from tests.core.inventory_files import to_csv
from tests.factories import flow_in_manual_collection, in_uow

# As written, and the GB they mean for memory and data volume.
WRITTEN = [("2,5", 2.5), ("1.234,5", 1234.5), ("16 GB", 16.0), ("16384 MB", 16.0)]


@pytest.mark.parametrize(("written", "gigabytes"), WRITTEN)
def test_importing_a_row(db, tenant, written, gigabytes):
    content = to_csv(["Name", "Type", "Memory", "Data volume"], [["db-01", "DB", written, written]])
    report = in_uow(db, tenant, import_assets, content, "inventory.csv")
    assert (report.created, report.skipped) == (1, [])
    db.expire_all()
    asset = db.scalars(select(Asset)).one()
    assert asset.memory_gb == gigabytes
    assert asset.custom_attributes["data_volume_gb"] == gigabytes


@pytest.mark.parametrize(("written", "gigabytes"), [*WRITTEN, ("lots", None)])
def test_scanning_an_asset(db, tenant, make_assets, written, gigabytes):
    [asset] = make_assets(tenant, 1, "database", custom_attributes={"data_volume_gb": written})
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Scan")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id)]})
    service.execute_phase(flow_id, "gap_analysis")
    page = in_uow(db, tenant, page_gaps, flow_id)
    gaps = {gap["field_name"]: gap["gap_type"] for gap in page.rows}
    assert gaps.get("data_volume_gb") == (None if gigabytes else "invalid")


@pytest.mark.parametrize(("written", "gigabytes"), WRITTEN)
def test_validating_an_answer(db, tenant, make_assets, written, gigabytes):
    [asset] = make_assets(tenant, 1, memory_gb=None)
    flow_id = flow_in_manual_collection(db, tenant, [asset])
    [questionnaire] = in_uow(db, tenant, flows.list_questionnaires, flow_id)
    [question] = [q for q in questionnaire.questions if q["field_name"] == "memory_gb"]
    in_uow(db, tenant, save_answers, flow_id, str(questionnaire.id), {question["id"]: written})
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    report = service.execute_phase(flow_id, "data_validation")
    assert report["problems"] == []
    db.expire_all()
    assert db.get(Asset, asset.id).memory_gb == gigabytes
