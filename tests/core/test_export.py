"""Exports of a flow's gaps, questionnaires and assets; the asset export re-imports unchanged."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.asset_import import import_assets
from core.child_flow_service import CollectionChildFlowService
from core.errors import BadRequest, Forbidden, NotFound
from core.export import ASSET_COLUMNS, GAP_COLUMNS, QUESTION_COLUMNS, export_filename, export_flow
from core.orchestrator import MasterFlowOrchestrator
from db.models import Asset, AuditEvent
from tests.core.inventory_files import servicenow_csv, snapshot_assets
from tests.core.test_child_flow_service import answer_everything, good_answer


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_xlsx(content: bytes) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    workbook.close()
    return rows


def run_flow_to_the_end(db, ctx, asset_ids) -> str:
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Wave 1 / servers")
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": asset_ids})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    answer_everything(db, ctx, flow_id, good_answer)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    assert service.get_child_status(flow_id)["current_phase"] == "assessment"
    return flow_id


@pytest.fixture
def finished_flow(db, tenant):
    """A realistic inventory imported, and a flow over all of it run to assessment."""
    report = import_assets(db, tenant, servicenow_csv(25), "cmdb.csv")
    assert report.created == 25
    asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
    return run_flow_to_the_end(db, tenant, asset_ids)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_asset_export_of_a_finished_flow_reimports_without_a_change(
    db, tenant, finished_flow, fmt
):
    content = export_flow(db, tenant, finished_flow, "assets", fmt)
    before = snapshot_assets(db)

    report = import_assets(db, tenant, content, f"assets.{fmt}")

    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 0, 25, [])
    assert snapshot_assets(db) == before


def test_the_asset_export_holds_the_validated_values(db, tenant, finished_flow):
    rows = read_csv(export_flow(db, tenant, finished_flow, "assets", "csv"))
    assert len(rows) == 25
    assert list(rows[0])[: len(ASSET_COLUMNS)] == list(ASSET_COLUMNS)
    gappy = next(row for row in rows if row["name"] == "srv-00000")
    # Owner and environment were gaps, answered in the questionnaire and written back.
    assert (gappy["business_owner"], gappy["environment"]) == ("Alex Kim", "production")
    assert gappy["memory_gb"] == "4" and gappy["location"] == "DC1"
    assert gappy["network_zone"] == "dmz"


def test_the_gap_export_has_predictions_resolutions_and_asset_names(db, tenant, finished_flow):
    rows = read_csv(export_flow(db, tenant, finished_flow, "gaps", "csv"))
    assert list(rows[0]) == list(GAP_COLUMNS)
    assert rows and {row["resolution_status"] for row in rows} <= {"resolved", "skipped"}
    owner_gap = next(
        row
        for row in rows
        if row["asset_name"] == "srv-00000" and row["field_name"] == "business_owner"
    )
    assert owner_gap["resolved_value"] == "Alex Kim" and owner_gap["resolved_at"]
    assert owner_gap["gap_type"] == "missing" and owner_gap["priority"] == "1"
    names = [row["asset_name"] for row in rows]
    assert names == sorted(names)


def test_the_questionnaire_export_has_every_question_with_its_answer(db, tenant, finished_flow):
    rows = read_xlsx(export_flow(db, tenant, finished_flow, "questionnaires", "xlsx"))
    header, body = rows[0], rows[1:]
    assert header == QUESTION_COLUMNS
    answers = [dict(zip(header, row, strict=True)) for row in body]
    assert answers and all(row["answer"] is not None for row in answers)
    assert {row["validation_status"] for row in answers} == {"valid"}
    owner = next(row for row in answers if row["field_name"] == "business_owner")
    assert owner["answer"] == "Alex Kim" and owner["asset_name"] == owner["questionnaire"]


def test_text_that_looks_like_a_formula_stays_text_in_excel(db, tenant):
    import_assets(db, tenant, b"name,notes\nsrv-1,=HYPERLINK(1)\n", "a.csv")
    asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Formulas")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": asset_ids}
    )
    content = export_flow(db, tenant, flow_id, "assets", "xlsx")
    workbook = load_workbook(io.BytesIO(content))
    notes = [cell for cell in workbook.active[2] if cell.value == "=HYPERLINK(1)"]
    assert notes and notes[0].data_type == "s"


def test_another_tenants_flow_is_a_404_and_bad_choices_a_400(db, make_tenant, finished_flow):
    other = make_tenant()
    with pytest.raises(NotFound):
        export_flow(db, other, finished_flow, "gaps", "csv")
    with pytest.raises(BadRequest):
        export_flow(db, other, finished_flow, "everything", "csv")
    with pytest.raises(BadRequest):
        export_flow(db, other, finished_flow, "gaps", "pdf")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "flow_exported")).all()
    assert events == []


def test_a_manager_may_export_and_the_export_is_audited(db, tenant, finished_flow):
    manager = tenant.__class__(
        tenant.client_account_id, tenant.engagement_id, user_id=tenant.user_id, role="manager"
    )
    assert export_flow(db, manager, finished_flow, "gaps", "xlsx")[:2] == b"PK"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "flow_exported")).one()
    assert event.details == {"what": "gaps", "format": "xlsx"}


def test_export_needs_the_export_right(db, tenant, finished_flow, monkeypatch):
    from core import permissions

    monkeypatch.setitem(permissions.ROLE_ACTIONS, "analyst", frozenset({permissions.Action.VIEW}))
    with pytest.raises(Forbidden):
        export_flow(db, tenant, finished_flow, "assets", "csv")


def test_export_filename(db, tenant, finished_flow):
    flow = CollectionChildFlowService(db, tenant).get_by_master_flow_id(finished_flow)
    assert export_filename(flow, "gaps", "xlsx") == "wave-1-servers-gaps.xlsx"
