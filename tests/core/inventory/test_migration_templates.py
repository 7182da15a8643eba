"""A flow's assets, with what was collected, as the Azure Migrate and AWS Migration Hub sheets."""

import csv
import io

import pytest
from sqlalchemy import select

from core.inventory.export import export_flow
from core.inventory.importer import import_assets
from core.inventory.migration_templates import AWS_MIGRATION_HUB_COLUMNS, AZURE_MIGRATE_COLUMNS
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import rvtools_rows, rvtools_xlsx
from tests.core.inventory.test_export import run_flow_to_the_end
from tests.factories import in_uow


def read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


@pytest.fixture
def rvtools_flow(db, tenant):
    in_uow(db, tenant, import_assets, rvtools_xlsx(rvtools_rows()), "rvtools.xlsx")
    return run_flow_to_the_end(db, tenant, [str(i) for i in db.scalars(select(Asset.id))])


def test_the_azure_migrate_import_csv(db, tenant, rvtools_flow):
    header, rows = read_csv(in_uow(db, tenant, export_flow, rvtools_flow, "azure_migrate", "csv"))
    assert header == list(AZURE_MIGRATE_COLUMNS)
    assert header[:5] == ["*Server Name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name"]
    web = next(row for row in rows if row["*Server Name"] == "web-01")
    assert (web["*Cores"], web["*Memory (In MB)"], web["IP addresses"]) == (
        "4",
        "16384",
        "10.0.0.10",
    )
    assert web["*OS name"] == "Microsoft Windows Server 2019 (64-bit)"
    assert (web["OS architecture"], web["Disk 1 size (In GB)"]) == ("x64", "120")
    assert {row["*Server Name"] for row in rows} == {"web-01", "db-01", "app-01"}


def test_the_aws_migration_hub_import_template(db, tenant, rvtools_flow):
    content = in_uow(db, tenant, export_flow, rvtools_flow, "aws_migration_hub", "csv")
    header, rows = read_csv(content)
    assert header == list(AWS_MIGRATION_HUB_COLUMNS)
    database = next(row for row in rows if row["VMware.VMName"] == "db-01")
    assert database["HostName"] == "db-01.corp.example.com"
    assert (database["CPU.NumberOfLogicalCores"], database["RAM.TotalSizeInMB"]) == ("4", "65536")
    assert (database["OS.Name"], database["OS.Version"]) == ("CentOS 7 (64-bit)", "CentOS 7")
    assert database["SMBiosId"].startswith("5003e1b2-")
    assert "datacenter:DC-Frankfurt" in database["Tags"]
    stored = db.scalars(select(Asset).where(Asset.name == "db-01")).one()
    assert database["ExternalId"] == str(stored.id)
    # What the owners answered during the flow is in the sheet too.
    assert database["Tags"].startswith("environment:")


def test_the_templates_are_csv_only(db, tenant, rvtools_flow):
    with pytest.raises(BadRequest, match="template is a CSV file"):
        in_uow(db, tenant, export_flow, rvtools_flow, "azure_migrate", "xlsx")
