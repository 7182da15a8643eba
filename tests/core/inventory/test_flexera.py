"""FlexNet Manager (Flexera) inventories read as Flexera writes them: the inventory device table
(ComplianceComputer) saved from SQL Server, and a ConsolidatedComputer import spreadsheet;
memory and disk in bytes, addresses comma-separated, NULL where SQL Server has no value."""

import io
from datetime import datetime

from openpyxl import Workbook
from sqlalchemy import select

from core.catalogue.attributes import attributes_for
from core.gaps.scan import gaps_of_asset
from core.inventory.importer import import_assets, preview_import
from db.models import Asset
from tests.core.inventory.profile_files import csv_bytes
from tests.factories import in_uow

GIB = 1024**3
# ComplianceComputer's columns in the table's order (a subset: it has ~70).
COMPLIANCE_COMPUTER = [
    "ComplianceComputerID", "ComplianceComputerTypeID", "ComputerName", "ComplianceDomainID",
    "ComplianceComputerStatusID", "ComplianceComputerRoleID", "OperatingSystem", "ServicePack",
    "NumberOfProcessors", "ProcessorType", "MaxClockSpeed", "TotalMemory", "ChassisTypeID",
    "NumberOfHardDrives", "TotalDiskSpace", "IPAddress", "MACAddress", "Manufacturer",
    "ModelNo", "SerialNo", "InventoryDate", "HardwareInventoryDate", "InventoryAgent",
    "NumberOfCores", "NumberOfSockets", "UUID", "NumberOfLogicalProcessors",
]  # fmt: skip
# ConsolidatedComputer import template columns (those of a computer and of a VM on its host).
CONSOLIDATED_COMPUTER = [
    "ComputerID", "ComputerName", "DomainFlatName", "DomainQualifiedName", "BIOSUUID",
    "OperatingSystem", "ServicePack", "NumberOfProcessors", "ProcessorType", "MaxClockSpeed",
    "NumberOfCores", "NumberOfLogicalProcessors", "TotalMemory", "TotalDiskSpace",
    "IPAddress", "MACAddress", "Manufacturer", "ModelNo", "SerialNo", "InventoryDate",
    "HostComputerID", "VMName",
]  # fmt: skip


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def compliance_computer_csv() -> bytes:
    rows = [
        ["10231", "3", "FINAPP01", "4", "1", "1", "Microsoft Windows Server 2019 Standard",
         "NULL", "2", "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "2494", str(16 * GIB), "NULL",
         "2", str(160 * GIB), "10.20.1.15,fe80::1c2d:3e4f:5a6b:7c8d", "00:50:56:9A:12:34",
         "VMware, Inc.", "VMware Virtual Platform", "VMware-42 1a 2b 3c",
         "2024-05-02 03:14:07.000", "2024-05-02 03:14:07.000", "14.0.1", "4", "2",
         "421A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8", "4"],
        ["10232", "1", "ORADB02", "4", "1", "1", "Red Hat Enterprise Linux Server release 7.9",
         "NULL", "2", "Intel(R) Xeon(R) Gold 6148", "2400", str(256 * GIB), "NULL", "4",
         "NULL", "10.20.5.20", "3C:FD:FE:A1:B2:C3", "HPE", "ProLiant DL380 Gen10", "CZ2D1F0ABC",
         "2024-05-01 22:05:51.000", "2024-05-01 22:05:51.000", "14.0.1", "40", "2",
         "NULL", "80"],
    ]  # fmt: skip
    return csv_bytes(COMPLIANCE_COMPUTER, rows)


def test_a_flexnet_inventory_device_export_reads_cores_bytes_and_addresses(db, tenant):
    preview = preview_import(compliance_computer_csv(), "ComplianceComputer.csv")
    assert preview.profile == "Flexera (FlexNet Manager inventory)"
    assert preview.units["TotalMemory"] == "bytes"

    report = in_uow(db, tenant, import_assets, compliance_computer_csv(), "ComplianceComputer.csv")

    assert report.profile == "Flexera (FlexNet Manager inventory)" and report.created == 2
    assets = assets_by_name(db)
    vm, host = assets["FINAPP01"], assets["ORADB02"]
    assert (vm.asset_type, host.asset_type) == ("virtual_machine", "server")  # type ID 3, 1
    assert (vm.operating_system, vm.os_version) == ("Windows", "Server 2019 Standard")
    assert (vm.cpu_cores, vm.memory_gb, vm.storage_gb) == (4, 16.0, 160.0)
    assert (host.cpu_cores, host.memory_gb, host.storage_gb) == (40, 256.0, None)  # NULL
    custom = vm.custom_attributes
    assert custom["ip_address"] == "10.20.1.15,fe80::1c2d:3e4f:5a6b:7c8d"
    assert (custom["cpu_sockets"], custom["cpu_logical_processors"]) == ("2", "4")  # as written
    assert (custom["serial_number"], custom["model"]) == (
        "VMware-42 1a 2b 3c", "VMware Virtual Platform",
    )  # fmt: skip
    assert custom["last_inventory_date"] == "2024-05-02 03:14:07.000"
    assert custom["vm_uuid"] == "421A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8"
    # VMware's virtual hardware says which hypervisor; a physical host's says nothing.
    assert custom["virtualization_platform"] == "vmware"
    assert "virtualization_platform" not in host.custom_attributes
    assert "virtualization_platform" not in {g["field_name"] for g in gaps_of_asset(vm)}
    # The gap scan asks only for what the export lacks.
    asked = {gap["field_name"] for gap in gaps_of_asset(host)}
    assert "storage_gb" in asked  # NULL in the export
    assert not asked & {"operating_system", "os_version", "cpu_cores", "memory_gb"}
    assert asked <= {a.name for a in attributes_for("server")}


def test_a_consolidated_computer_sheet_tells_virtual_machines_by_host_or_hardware(db, tenant):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ConsolidatedComputer"
    sheet.append(CONSOLIDATED_COMPUTER)
    host = ["H-100", "ESX01", "CORP", "corp.example.com", "30393138-3836-5a43-3231-343530305257",
            "VMware ESXi 7.0.3", None, 2, "Intel(R) Xeon(R) Gold 6248", 2500, 40, 80, 768 * GIB,
            None, "10.0.0.11", "3C:FD:FE:00:00:01", "HPE", "ProLiant DL380 Gen10", "CZ1",
            datetime(2024, 5, 2, 3, 0), None, None]  # fmt: skip
    guest = ["V-200", "WEB01", "CORP", "corp.example.com", "421a2b3c-0000-4000-8000-000000000001",
             "Microsoft Windows Server 2022 Datacenter", None, 1, None, None, 2, 2, 8 * GIB,
             100 * GIB, "10.0.1.21", "00:50:56:00:00:02", "VMware, Inc.",
             "VMware Virtual Platform", None, datetime(2024, 5, 2, 3, 0), "H-100", "web01"]  # fmt: skip
    # A Hyper-V guest whose host the inventory did not see: its virtual hardware says so.
    hyperv = ["V-300", "SQL01", "CORP", "corp.example.com", None,
              "Microsoft Windows Server 2016 Standard", None, 1, None, None, 4, 8, 32 * GIB,
              None, "10.0.2.5", None, "Microsoft Corporation", "Virtual Machine", None,
              datetime(2024, 5, 2, 3, 0), None, None]  # fmt: skip
    for row in (host, [None] * len(CONSOLIDATED_COMPUTER), guest, hyperv):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = in_uow(db, tenant, import_assets, buffer.getvalue(), "ConsolidatedComputer.xlsx")

    assert report.profile == "Flexera (FlexNet Manager inventory)" and report.created == 3
    assets = assets_by_name(db)
    esx, web, sql = assets["ESX01"], assets["WEB01"], assets["SQL01"]
    assert (sql.asset_type, sql.custom_attributes["virtualization_platform"]) == (
        "virtual_machine", "hyper-v",
    )  # fmt: skip
    assert (esx.asset_type, web.asset_type) == ("server", "virtual_machine")
    assert (esx.cpu_cores, esx.memory_gb) == (40, 768.0)
    assert (web.cpu_cores, web.memory_gb, web.storage_gb) == (2, 8.0, 100.0)
    assert (web.operating_system, web.os_version) == ("Windows", "Server 2022 Datacenter")
    assert web.custom_attributes["domain"] == "corp.example.com"
    assert web.custom_attributes["host_computer_id"] == "H-100"
    assert web.custom_attributes["virtualization_platform"] == "vmware"
