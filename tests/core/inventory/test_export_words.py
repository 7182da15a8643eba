"""Every flow export speaks people's words: no snake_case identifier in a header or in a name
the product gives a value (a field, a gap type, a status, a priority, an agent, a source), while
what people and files wrote is exported as it was; and the asset export, headed by labels,
imports into another engagement as the same assets with the same values."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from core.catalogue.attributes import TYPED_ASSET_FIELD_ORDER
from core.enhancement.job_stores import job_store_for
from core.enhancement.jobs import submit_gap_analysis
from core.enhancement.worker import run_gap_enhancement_job
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps, selection_entry
from core.inventory.export import CSV_ONLY, FORMATS, WHATS, export_flow
from core.inventory.importer import import_assets
from core.inventory.spreadsheet import cell_value
from db.models import Asset
from tests.core.flows.test_child_flow_service import answer_everything, good_answer
from tests.core.inventory.test_migration_templates import rvtools_flow  # noqa: F401 (fixture)
from tests.core.inventory_files import servicenow_csv
from tests.factories import in_uow
from tests.words import identifiers_in

FLOW_EXPORTS = [(what, fmt) for what in WHATS for fmt in FORMATS if what not in CSV_ONLY]
# Per export, the columns holding what people or files wrote: exported as written, whatever
# it looks like (a ServiceNow class "cmdb_ci_linux_server" stays one). Every other column, and
# every header, holds only the product's words.
AS_WRITTEN = {
    "gaps": {"Asset", "Predicted value", "Resolved value", "Asset ID", "Gap ID"},
    "questionnaires": {
        "Questionnaire", "Asset", "Default", "Answer", "Question ID", "Questionnaire ID",
    },
    "sources": {"Asset", "Value", "Source detail", "File", "Recorded by", "Asset ID"},
    "assets": None,  # every column but the asset type holds the inventory's values
}  # fmt: skip
# The columns whose every value is a name the product gives, as each export must have them.
NAMED_VALUES = {
    "gaps": ("Field", "Gap type", "Category", "Priority", "Six-R impact", "Status", "Agent"),
    "questionnaires": ("Questionnaire status", "Field", "Question type", "Priority", "Validation"),
    "sources": ("Field", "Source"),
    "assets": ("Asset type",),
}


def read_table(content: bytes, fmt: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows as text, however the file holds them."""
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    else:
        workbook = load_workbook(io.BytesIO(content), read_only=True)
        rows = [
            ["" if cell is None else str(cell) for cell in row]
            for row in workbook.worksheets[0].iter_rows(values_only=True)
        ]
        workbook.close()
    header, width = rows[0], len(rows[0])
    # A workbook's row ends at its last value: the cells after it are blank.
    padded = [[*row, *[""] * (width - len(row))] for row in rows[1:]]
    return header, [dict(zip(header, row, strict=True)) for row in padded]


@pytest.fixture
def worded_flow(db, tenant, dispatcher):
    """An inventory imported; a flow over it whose gaps a job enhanced with predictions, whose
    questionnaires were answered, and whose answers were checked and written back."""
    in_uow(db, tenant, import_assets, servicenow_csv(12), "cmdb.csv")
    asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Words")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": asset_ids})
    service.execute_phase(flow_id, "gap_analysis")
    rows = in_uow(db, tenant, page_gaps, flow_id, {}, limit=50).rows
    submit_gap_analysis(db, tenant, flow_id, [selection_entry(row) for row in rows])
    store = job_store_for(db.get_bind())
    for job in dispatcher.jobs:
        run_gap_enhancement_job(lambda: type(db)(bind=db.get_bind()), store, **job)
    service.execute_phase(flow_id, "questionnaire_generation")
    answer_everything(db, tenant, flow_id, good_answer)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    return flow_id


@pytest.mark.parametrize(("what", "fmt"), FLOW_EXPORTS)
def test_no_flow_export_writes_an_identifier(db, tenant, worded_flow, what, fmt):
    header, rows = read_table(in_uow(db, tenant, export_flow, worded_flow, what, fmt), fmt)
    assert rows and set(NAMED_VALUES[what]) <= set(header)
    product_columns = set(NAMED_VALUES[what])
    if AS_WRITTEN[what] is not None:
        product_columns |= set(header) - AS_WRITTEN[what]
    assert identifiers_in(header) == {}
    assert identifiers_in(row[column] for row in rows for column in product_columns) == {}


def test_the_gap_export_names_predictions_and_who_made_them_in_words(db, tenant, worded_flow):
    _header, rows = read_table(in_uow(db, tenant, export_flow, worded_flow, "gaps", "csv"), "csv")
    predicted = [row for row in rows if row["Predicted value"]]
    assert predicted and {row["Agent"] for row in predicted} == {"Gap analysis specialist"}
    assert all(row["Why predicted"] for row in predicted)
    assert {row["Gap type"] for row in rows} <= {"Missing", "Invalid"}
    assert {row["Field"] for row in rows} >= {"Business owner", "Environment"}


@pytest.mark.parametrize("flow", ["worded_flow", "rvtools_flow"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_asset_export_imports_into_another_engagement_as_the_same_assets(
    db, tenant, make_tenant, request, flow, fmt
):
    flow_id = request.getfixturevalue(flow)
    content = in_uow(db, tenant, export_flow, flow_id, "assets", fmt)
    other = make_tenant()

    report = in_uow(db, other, import_assets, content, f"assets.{fmt}")

    assert report.skipped == [] and report.created == len(in_uow(db, tenant, asset_values))
    assert in_uow(db, other, asset_values) == in_uow(db, tenant, asset_values)


def asset_values(uow) -> dict[str, tuple]:
    """Each asset of the engagement by name: its type, typed values and custom attributes."""
    uow.session.expire_all()
    query = select(Asset).where(Asset.engagement_id == uow.ctx.engagement_id)
    return {
        asset.name: (
            asset.asset_type,
            tuple(getattr(asset, name) for name in TYPED_ASSET_FIELD_ORDER),
            # As the file writes them: a number an RVTools tab gave (sockets, a reservation of
            # 0.0 MHz) is read back from a file as the text "2", "0".
            {key: str(cell_value(value)) for key, value in (asset.custom_attributes or {}).items()},
        )
        for asset in uow.session.scalars(query)
    }
