"""Azure Migrate Export's reports as the tool writes them: the 16-sheet assessment report is
read from its servers' sheet, and the discovery report's machine ids, IP lists and power
states become the asset's type, platform, addresses and power state."""

from sqlalchemy import select

from core.inventory.importer import import_assets, preview_import
from core.inventory.profiles.migrate_export import plain_list
from db.models import Asset
from tests.core.inventory.assessment_workbooks import (
    CORE_SHEETS,
    core_report,
    discovery_report,
    machine_id,
)
from tests.factories import in_uow


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def test_the_assessment_report_s_294_vms_are_read_from_its_servers_sheet(db, tenant):
    content = core_report(vms=294, sql_instances=60)
    assert len(CORE_SHEETS) == 16

    preview = preview_import(content, "AzureMigrate_Assessment_Core_Report.xlsx")
    assert preview.profile == "Azure Migrate Export report"
    assert preview.sheet == "All_VM_IaaS_Server_Rehost_Perf"
    assert (
        "servers read from sheet 'All_VM_IaaS_Server_Rehost_Perf': the sheet its tool writes"
        " the servers on" in preview.notes
    )
    report = in_uow(db, tenant, import_assets, content, "AzureMigrate_Assessment_Core_Report.xlsx")

    assert (report.rows, report.created, report.skipped) == (294, 294, [])
    vm = assets_by_name(db)["azvm-007"]
    assert (vm.asset_type, vm.cpu_cores, vm.memory_gb, vm.storage_gb) == (
        "virtual_machine",
        4,
        16.0,
        200.0,
    )
    assert (vm.operating_system, vm.os_version) == ("Windows", "Server 2019 Datacenter")
    custom = vm.custom_attributes
    assert custom["ip_address"] == "10.0.0.8, fe80::8"
    assert custom["virtualization_platform"] == "vmware"
    assert (custom["host"], custom["boot_type"]) == ("esx01.corp.example.com", "BIOS")


def test_a_discovery_report_names_the_site_power_state_and_addresses(db, tenant):
    row = {
        "Operating System": "Red Hat Enterprise Linux 8.6", "Cores": 2,
        "Memory (in MB)": 8192, "Total Disks": 2, "Boot Type": "UEFI",
        "Total Network Adapters": 1, "Environment": "Prod", "Support Status": "Mainstream",
    }  # fmt: skip
    content = discovery_report(
        [
            {**row, "Machine Name": "vm-a", "Machine ID": machine_id("vm-a"),
             "IP Addresses": "[10.0.0.1,fe80::1];", "Power Stats": "ON"},
            {**row, "Machine Name": "hv-b", "Machine ID": machine_id("hv-b", "hypervsites"),
             "IP Addresses": "[];", "Power Stats": "OFF"},
            {**row, "Machine Name": "phys-c", "Machine ID": machine_id("phys-c", "serversites"),
             "IP Addresses": "[192.168.1.5];", "MAC Addresses": "[00:50:56:aa:bb:cc];"},
        ]
    )  # fmt: skip

    report = in_uow(db, tenant, import_assets, content, "AzureMigrate_Discovery_Report.xlsx")

    assert (report.sheet, report.created) == ("Discovery_Report", 3)
    assets = assets_by_name(db)
    a, b, c = assets["vm-a"], assets["hv-b"], assets["phys-c"]
    assert (a.asset_type, a.custom_attributes["virtualization_platform"]) == (
        "virtual_machine",
        "vmware",
    )
    assert (b.asset_type, b.custom_attributes["virtualization_platform"]) == (
        "virtual_machine",
        "hyper-v",
    )
    assert (c.asset_type, c.custom_attributes["virtualization_platform"]) == ("server", "physical")
    assert (a.custom_attributes["power_state"], b.custom_attributes["power_state"]) == ("ON", "OFF")
    assert a.custom_attributes["ip_address"] == "10.0.0.1, fe80::1"
    assert "ip_address" not in b.custom_attributes  # "[];": none
    assert c.custom_attributes["mac_address"] == "00:50:56:aa:bb:cc"
    assert (a.operating_system, a.os_version, a.environment) == (
        "Linux",
        "Red Hat Enterprise Linux 8.6",
        "Prod",
    )
    assert a.custom_attributes["machine_id"] == machine_id("vm-a")


def test_lists_as_the_tool_writes_them():
    assert plain_list("[10.0.0.1,fe80::1];") == "10.0.0.1, fe80::1"
    assert plain_list("[];") is None
    assert plain_list(" [ a , b ] ") == "a, b"
    assert plain_list("10.0.0.1") == "10.0.0.1"
