"""Each tool's export is recognised and read as that tool means it."""

import pytest
from sqlalchemy import select

from core.catalogue.attributes import attributes_for
from core.gaps.scan import gaps_of_asset
from core.inventory.importer import import_assets, preview_import
from core.inventory.os_names import split_os
from core.inventory.profiles import detect_profile
from db.models import Asset
from tests.core.inventory.profile_files import (
    AWS_CMF_HEADER,
    AWS_MIGRATION_HUB_HEADER,
    AZURE_MIGRATE_HEADER,
    POWERCLI_HEADER,
    RVTOOLS_VINFO,
    SERVICENOW_HEADER,
    csv_bytes,
    rvtools_rows,
    rvtools_xlsx,
)
from tests.factories import in_uow


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


@pytest.mark.parametrize(
    ("text", "family", "version"),
    [
        ("Microsoft Windows Server 2019 (64-bit)", "Windows", "Server 2019"),
        ("CentOS 7 (64-bit)", "Linux", "CentOS 7"),
        ("Red Hat Enterprise Linux 8 (64-bit)", "Linux", "Red Hat Enterprise Linux 8"),
        ("Oracle Solaris 11 (64-bit)", "Solaris", "11"),
        ("IBM AIX 7.2", "AIX", "7.2"),
        ("linux", "Linux", None),
        ("FreeBSD 13", None, None),
    ],
)
def test_an_os_name_splits_into_family_and_version(text, family, version):
    assert split_os(text) == (family, version)


def test_an_rvtools_workbook_is_read_from_its_vinfo_sheet(db, tenant):
    content = rvtools_xlsx(rvtools_rows())
    preview = preview_import(content, "RVTools_export_all.xlsx")
    assert preview.profile == "RVTools (vInfo)"
    assert "sheet 'vInfo', header on row 1" in preview.notes

    report = in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")

    assert report.profile == "RVTools (vInfo)"
    assert (report.rows, report.created) == (5, 3)
    assert [(e["row"], e["column"], e["reason"]) for e in report.skipped] == [
        (5, "template", "template"),
        (6, "srm_placeholder", "placeholder"),
    ]
    assets = assets_by_name(db)
    web = assets["web-01"]
    assert (web.asset_type, web.operating_system, web.os_version) == (
        "virtual_machine", "Windows", "Server 2019",
    )  # fmt: skip
    assert (web.cpu_cores, web.memory_gb, web.storage_gb) == (4, 16.0, 120.0)
    custom = web.custom_attributes
    assert custom["virtualization_platform"] == "vmware"
    assert custom["storage_used_gb"] == 60
    assert custom["power_state"] == "poweredOn"
    assert custom["os_name"] == "Microsoft Windows Server 2019 (64-bit)"
    assert custom["annotation"] == "Web front end\nowner: team-web"
    assert (custom["datacenter"], custom["cluster"], custom["host"]) == (
        "DC-Frankfurt", "CL-Prod-01", "esx01.corp.example.com",
    )  # fmt: skip
    assert custom["vcenter"] == "vcenter01.corp.example.com"
    assert custom["fqdn"] == "web-01.corp.example.com"
    assert custom["ip_address"] == "10.0.0.10"
    # Powered off, Tools OS blank: imported, its power state and the configured OS kept.
    database = assets["db-01"]
    assert database.custom_attributes["power_state"] == "poweredOff"
    assert (database.operating_system, database.os_version) == ("Linux", "CentOS 7")
    assert database.memory_gb == 64.0
    # The guest's detailed data names the exact release.
    assert assets["app-01"].os_version == "Ubuntu 22.04.3 LTS"

    again = in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_gap_scan_after_an_rvtools_import_asks_only_for_what_the_file_lacks(db, tenant):
    in_uow(db, tenant, import_assets, rvtools_xlsx(rvtools_rows()), "rvtools.xlsx")
    web = assets_by_name(db)["web-01"]
    asked = {gap["field_name"] for gap in gaps_of_asset(web)}
    held = {"operating_system", "os_version", "cpu_cores", "memory_gb", "storage_gb",
            "virtualization_platform"}  # fmt: skip
    assert not asked & held
    assert asked == {a.name for a in attributes_for("virtual_machine")} - held


def test_an_rvtools_vinfo_csv_is_recognised_too(db, tenant):
    content = csv_bytes(RVTOOLS_VINFO, rvtools_rows())
    report = in_uow(db, tenant, import_assets, content, "RVTools_tabvInfo.csv")
    assert report.profile == "RVTools (vInfo)" and report.created == 3
    assert {entry["reason"] for entry in report.skipped} == {"template", "placeholder"}


def test_an_aws_cmf_server_list_fills_what_it_holds(db, tenant):
    rows = [
        ["Wave1", "Ledger", "", "111122223333", "ledger-db01", "windows",
         "Microsoft Windows Server 2019 Datacenter", "ledger-db01.corp.local", "Database",
         "prod", "Rehost", "subnet-1", "sg-1", "r6i.2xlarge", "Shared"],
        ["Wave1", "Ledger", "", "111122223333", "ledger-web01", "linux",
         "Red Hat Enterprise Linux 8.6", "ledger-web01.corp.local", "Web", "prod",
         "Replatform", "subnet-1", "sg-2", "m6i.large", "Shared"],
    ]  # fmt: skip
    report = in_uow(db, tenant, import_assets, csv_bytes(AWS_CMF_HEADER, rows), "servers.csv")
    assert report.profile == "AWS Cloud Migration Factory / MGN server list"
    db_server = assets_by_name(db)["ledger-db01"]
    assert (db_server.operating_system, db_server.os_version, db_server.environment) == (
        "Windows", "Microsoft Windows Server 2019 Datacenter", "prod",
    )  # fmt: skip
    custom = db_server.custom_attributes
    assert (custom["fqdn"], custom["application"], custom["tier"]) == (
        "ledger-db01.corp.local", "Ledger", "Database",
    )  # fmt: skip
    asked = {gap["field_name"] for gap in gaps_of_asset(db_server)}
    assert not asked & {"operating_system", "os_version", "environment"}


def test_a_servicenow_table_export_reads_classes_and_units(db, tenant):
    rows = [
        ["a1", "cmdb_ci_linux_server", "lnx-01", "lnx-01.corp", "10.1.0.1", "Linux Red Hat",
         "8.6", "2", "8", "32,768", "500", "Production", "P000123", "Payroll\nbatch host"],
        ["a2", "cmdb_ci_win_server", "win-01", "win-01.corp", "10.1.0.2", "Windows 2019 Standard",
         "2019", "1", "4", "16384", "250", "Test", "P000124", ""],
    ]  # fmt: skip
    content = csv_bytes(SERVICENOW_HEADER, rows)
    report = in_uow(db, tenant, import_assets, content, "cmdb_ci_server.csv")
    assert report.profile == "ServiceNow CMDB (cmdb_ci_*)" and report.created == 2
    linux = assets_by_name(db)["lnx-01"]
    assert (linux.asset_type, linux.operating_system, linux.os_version) == (
        "server", "Linux", "8.6",
    )  # fmt: skip
    assert (linux.cpu_cores, linux.memory_gb, linux.storage_gb) == (8, 32.0, 500.0)
    assert linux.environment == "Production"
    assert linux.custom_attributes["source_class"] == "cmdb_ci_linux_server"
    assert linux.custom_attributes["asset_tag"] == "P000123"


def test_a_powercli_get_vm_export_with_its_type_line(db, tenant):
    rows = [
        ["app-02", "PoweredOn", "", "app-02:Microsoft Windows Server 2016 (64-bit)", "2", "1",
         "8192", "8", "HostSystem-host-12", "esx02.corp", "Apps", "v19", "windows9Server64Guest",
         "40.5", "100", "5003aaaa", "VirtualMachine-vm-77"],
    ]  # fmt: skip
    content = csv_bytes(
        POWERCLI_HEADER,
        rows,
        first_line="#TYPE VMware.VimAutomation.ViCore.Impl.V1.VM.UniversalVirtualMachineImpl",
    )
    report = in_uow(db, tenant, import_assets, content, "vms.csv")
    assert report.profile == "vSphere PowerCLI (Get-VM)" and report.created == 1
    vm = assets_by_name(db)["app-02"]
    assert (vm.operating_system, vm.os_version, vm.memory_gb, vm.storage_gb) == (
        "Windows", "Server 2016", 8.0, 100.0,
    )  # fmt: skip
    assert vm.custom_attributes["host"] == "esx02.corp"
    assert vm.custom_attributes["virtualization_platform"] == "vmware"


def test_the_azure_migrate_template_sums_its_disks(db, tenant):
    rows = [["fin-db01", "10.9.0.10", "8", "65536", "Microsoft Windows Server 2019 Datacenter",
             "", "x64", "2", "128", "1,024"]]  # fmt: skip
    content = csv_bytes(AZURE_MIGRATE_HEADER, rows)
    report = in_uow(db, tenant, import_assets, content, "AzureMigrateimporttemplate.csv")
    assert report.profile == "Azure Migrate import CSV"
    server = assets_by_name(db)["fin-db01"]
    assert (server.cpu_cores, server.memory_gb, server.storage_gb) == (8, 64.0, 1152.0)
    assert (server.operating_system, server.os_version) == ("Windows", "Server 2019 Datacenter")


def test_the_aws_migration_hub_template_marks_vmware_vms(db, tenant):
    rows = [
        ["INV-1", "", "10.70.0.1", "", "pay-app01", "vm-101", "vc-1", "2", "8", "16",
         "Red Hat Enterprise Linux 9", "9.2", "PAY-APP01", "32768", "2048", "Payments", ""],
        ["INV-2", "", "10.70.0.2", "", "", "", "", "1", "4", "4", "Windows Server 2022", "",
         "", "8192", "", "", ""],
    ]  # fmt: skip
    content = csv_bytes(AWS_MIGRATION_HUB_HEADER, rows)
    report = in_uow(db, tenant, import_assets, content, "import_template.csv")
    assert report.profile == "AWS Migration Hub import template" and report.created == 2
    assets = assets_by_name(db)
    vm = assets["pay-app01"]
    assert (vm.cpu_cores, vm.memory_gb, vm.os_version) == (16, 32.0, "9.2")
    assert vm.custom_attributes["virtualization_platform"] == "vmware"
    no_host_name = assets["INV-1" if "INV-1" in assets else "INV-2"]
    assert "virtualization_platform" not in no_host_name.custom_attributes


@pytest.mark.parametrize(
    ("headers", "profile"),
    [
        (["name", "type", "virtual_subtype", "os", "osver", "cpucore", "ram", "hddsize"],
         "device42"),
        (["AssetName", "AssetType", "IPAddress", "OS", "Memory", "LastSeen"], "lansweeper"),
        (["Computer name", "Operating system", "Inventory date", "Inventory agent"], "flexera"),
        (["Server Name", "OS", "RAM (MB)"], "plain"),
    ],
)  # fmt: skip
def test_the_other_inventories_are_recognised_by_their_headers(headers, profile):
    assert detect_profile(headers).name == profile
