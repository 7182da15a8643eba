"""A flow's assets, with what was collected, as the Azure Migrate and AWS Migration Hub sheets:
the templates' headers exactly (order, spelling, a column group per disk), the values the
assets hold, and a re-import into another engagement giving the same assets."""

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import select

from core.inventory.export import export_flow
from core.inventory.importer import import_assets
from core.inventory.migration_templates import (
    AWS_MIGRATION_HUB_COLUMNS,
    AZURE_MIGRATE_COLUMNS,
    azure_migrate_columns,
)
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import RVTOOLS_VINFO, rvtools_vm
from tests.core.inventory.rvtools_sheets import (
    rvtools_workbook,
    vcpu_row,
    vdisk_row,
    vpartition_row,
)
from tests.core.inventory.test_export import run_flow_to_the_end
from tests.factories import in_uow

# RVTools 4.7 vInfo writes these besides the ones profile_files lists.
VINFO = [*RVTOOLS_VINFO, "Firmware", "SMBIOS UUID"]
# The portal template's first disk group, as learn.microsoft.com lists the fields.
AZURE_HEADER = [
    "*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
    "OS architecture", "Server type", "Hypervisor", "CPU utilization percentage",
    "Memory utilization percentage", "Network adapters", "Network In throughput",
    "Network Out throughput", "Boot type", "Number of disks", "Storage in use (In GB)",
    "Disk 1 size (In GB)", "Disk 1 read throughput (MB per second)",
    "Disk 1 write throughput (MB per second)", "Disk 1 read ops (operations per second)",
    "Disk 1 write ops (operations per second)",
]  # fmt: skip


def read_csv(content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def vm(name: str, **values) -> list:
    row = dict(zip(RVTOOLS_VINFO, rvtools_vm(name, **values), strict=True))
    row["Firmware"] = values.get("Firmware", "efi")
    row["SMBIOS UUID"] = f"4211{name.encode().hex()[:4]}-bios"
    return [row[column] for column in VINFO]


@pytest.fixture
def rvtools_flow(db, tenant):
    vinfo = [
        vm("web-01", **{"VM ID": "vm-1001", "Disks": 4, "Primary IP Address": "10.0.0.10"}),
        vm("db-01", Firmware="bios", Disks=1, **{"VM ID": "vm-1002", "DNS Name": "db-01.corp"}),
        vm("win-old", PowerOn=datetime(1969, 12, 31, 19, 0), **{"VM ID": "vm-1003"}),
    ]
    content = rvtools_workbook(
        vinfo,
        vdisk=[vdisk_row("web-01", n, 51200 * n) for n in (1, 2, 3, 4)],
        vpartition=[vpartition_row("web-01", "C:\\", 51200, 20480)],
        vcpu=[vcpu_row("web-01", 4, 2, 2), vcpu_row("db-01", 8, 1, 8)],
        vinfo_header=VINFO,
    )
    in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")
    return run_flow_to_the_end(db, tenant, [str(i) for i in db.scalars(select(Asset.id))])


def test_the_azure_migrate_csv_has_the_portal_header_and_a_column_group_per_disk(
    db, tenant, rvtools_flow
):
    assert list(AZURE_MIGRATE_COLUMNS) == AZURE_HEADER
    header, rows = read_csv(in_uow(db, tenant, export_flow, rvtools_flow, "azure_migrate", "csv"))
    assert header == list(azure_migrate_columns(4))
    assert header[: len(AZURE_HEADER)] == AZURE_HEADER
    assert header[-5:] == [
        "Disk 4 size (In GB)", "Disk 4 read throughput (MB per second)",
        "Disk 4 write throughput (MB per second)", "Disk 4 read ops (operations per second)",
        "Disk 4 write ops (operations per second)",
    ]  # fmt: skip
    web = next(row for row in rows if row["*Server name"] == "web-01")
    assert [web[f"Disk {n} size (In GB)"] for n in (1, 2, 3, 4)] == ["50", "100", "150", "200"]
    assert (web["Number of disks"], web["Server type"], web["Hypervisor"]) == (
        "4", "Virtual", "VMware",
    )  # fmt: skip
    assert (web["*Cores"], web["*Memory (In MB)"], web["IP addresses"]) == (
        "4",
        "16384",
        "10.0.0.10",
    )
    assert (web["OS architecture"], web["Boot type"]) == ("x64", "UEFI")
    assert web["*OS name"] == "Microsoft Windows Server 2019 (64-bit)"
    assert web["Network adapters"] == "1"
    database = next(row for row in rows if row["*Server name"] == "db-01")
    assert (database["Boot type"], database["Disk 1 size (In GB)"], database["Disk 2 size (In GB)"]) == (
        "BIOS", "120", "",
    )  # fmt: skip
    assert database["Storage in use (In GB)"] == "60"


def test_the_aws_migration_hub_template_carries_the_vm_s_ids_and_cpu_topology(
    db, tenant, rvtools_flow
):
    content = in_uow(db, tenant, export_flow, rvtools_flow, "aws_migration_hub", "csv")
    header, rows = read_csv(content)
    assert header == list(AWS_MIGRATION_HUB_COLUMNS)
    web = next(row for row in rows if row["VMware.VMName"] == "web-01")
    assert (web["VMware.MoRefId"], web["VMware.VCenterId"]) == ("vm-1001", "9a1b-2c3d")
    assert web["SMBiosId"] == f"4211{b'web-01'.hex()[:4]}-bios"  # not the VM UUID
    assert (web["CPU.NumberOfProcessors"], web["CPU.NumberOfCores"]) == ("2", "4")
    assert (web["CPU.NumberOfLogicalCores"], web["RAM.TotalSizeInMB"]) == ("4", "16384")
    assert web["HostName"] == "web-01" and web["IPAddress"] == "10.0.0.10"
    stored = db.scalars(select(Asset).where(Asset.name == "web-01")).one()
    assert web["ExternalId"] == str(stored.id)
    assert "datacenter:DC-Frankfurt" in web["Tags"]
    assert web["Tags"].startswith("environment:")  # what the owners answered in the flow


@pytest.mark.parametrize("what", ["azure_migrate", "aws_migration_hub"])
def test_our_export_reimported_into_another_engagement_gives_the_same_assets(
    db, tenant, rvtools_flow, make_tenant, what
):
    content = in_uow(db, tenant, export_flow, rvtools_flow, what, "csv")
    other = make_tenant()
    report = in_uow(db, other, import_assets, content, f"{what}.csv")

    assert (report.created, report.skipped) == (3, [])
    db.expire_all()

    def assets(uow):
        query = select(Asset).where(Asset.engagement_id == uow.ctx.engagement_id)
        return {
            a.name: (a.asset_type, (a.custom_attributes or {}).get("virtualization_platform"))
            for a in uow.session.scalars(query)
        }

    by_tenant = {ctx.engagement_id: in_uow(db, ctx, assets) for ctx in (tenant, other)}
    assert by_tenant[other.engagement_id] == by_tenant[tenant.engagement_id]
    assert by_tenant[other.engagement_id]["db-01"] == ("virtual_machine", "vmware")
    again = in_uow(db, tenant, import_assets, content, f"{what}.csv")  # the same engagement
    assert (again.created, again.skipped) == (0, [])  # no FQDN as a second asset


def test_the_templates_are_csv_only(db, tenant, rvtools_flow):
    with pytest.raises(BadRequest, match="the Azure Migrate import template is a CSV file"):
        in_uow(db, tenant, export_flow, rvtools_flow, "azure_migrate", "xlsx")
