"""An RVTools workbook's vCPU and vMemory tabs give sockets, cores per socket and reservations
(and the CPU count and memory a vInfo row lacks); every tab is joined to vInfo by the VM's
identity, so one VM name in two vCenters gets each VM's own values."""

import io
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from core.gaps.scan import gaps_of_asset
from core.inventory.importer import import_assets, preview_import
from core.inventory.provenance import sources_of
from db.models import Asset
from tests.core.inventory.profile_files import rvtools_vm
from tests.core.inventory.rvtools_sheets import (
    RVTOOLS_VDISK,
    rvtools_workbook,
    vcpu_row,
    vdisk_row,
    vm_uuid,
    vmemory_row,
    vpartition_row,
)
from tests.factories import in_uow

VCENTER_2 = "vcenter02.corp.example.com"


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def test_vcpu_and_vmemory_give_sockets_cores_per_socket_and_reservations(db, tenant):
    content = rvtools_workbook(
        [rvtools_vm("web-01"), rvtools_vm("db-01", CPUs=8, Memory=65536)],
        vcpu=[
            vcpu_row("web-01", 4, 2, 2, Reservation=1000),  # MHz
            vcpu_row("db-01", 8, 1, 8),
        ],
        vmemory=[vmemory_row("web-01", 16384, 8192), vmemory_row("db-01", 65536)],
    )
    preview = preview_import(content, "rvtools.xlsx")
    assert (
        "sheet 'vCPU' gives CPU count, sockets, cores per socket and CPU reservation where a"
        " vInfo row lacks them (read at import)" in preview.notes
    )

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    assets = assets_by_name(db)
    web, database = assets["web-01"].custom_attributes, assets["db-01"].custom_attributes
    assert (web["cpu_sockets"], web["cores_per_socket"], web["cpu_reservation_mhz"]) == (2, 2, 1000)
    assert web["memory_reservation_gb"] == 8.0  # 8192 MiB
    assert (database["cpu_sockets"], database["cores_per_socket"]) == (1, 8)
    assert (database["cpu_reservation_mhz"], database["memory_reservation_gb"]) == (0, 0)
    assert (assets["web-01"].cpu_cores, assets["web-01"].memory_gb) == (4, 16.0)  # vInfo's
    assert report.row_notes == []  # nothing vInfo has a column for was missing
    again = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_cpus_and_memory_a_vinfo_row_lacks_come_from_vcpu_and_vmemory_and_are_noted(db, tenant):
    content = rvtools_workbook(
        [rvtools_vm("web-01", CPUs=None, Memory=None), rvtools_vm("app-01")],
        vcpu=[vcpu_row("app-01", 4, 4, 1), vcpu_row("web-01", 6, 3, 2)],
        vmemory=[vmemory_row("web-01", 24576), vmemory_row("app-01", 16384)],
    )

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    web = assets_by_name(db)["web-01"]
    assert (web.cpu_cores, web.memory_gb) == (6, 24.0)
    assert report.row_notes == [
        {"row": 2, "note": "CPU count from sheet vCPU; memory size from sheet vMemory"}
    ]
    sources = {
        field: (source.file, source.row)
        for (_, field), source in in_uow(
            db, tenant, lambda uow: sources_of(uow).for_assets([web.id])
        ).items()
    }
    assert sources["cpu_cores"] == ("rvtools.xlsx [vCPU]", 4)  # after app-01 and a blank row
    assert sources["memory_gb"] == ("rvtools.xlsx [vMemory]", 2)
    # The gap scan asks for none of what the tabs gave.
    asked = {gap["field_name"] for gap in gaps_of_asset(web)}
    assert not asked & {"cpu_cores", "memory_gb", "storage_gb", "operating_system"}


def test_a_count_that_is_no_number_is_left_out_and_the_row_says_why(db, tenant):
    content = rvtools_workbook([rvtools_vm("web-01")], vcpu=[vcpu_row("web-01", 4, "two", 2)])

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    custom = assets_by_name(db)["web-01"].custom_attributes
    assert "cpu_sockets" not in custom and custom["cores_per_socket"] == 2
    assert report.row_notes == [
        {"row": 2, "note": "sockets not taken from sheet vCPU (row 2: 'two' is not a number)"}
    ]


def two_vcenters(dropped: tuple[str, ...] = ()) -> bytes:
    """web-01 in two vCenters (with the same VM ID, as each vCenter counts its own), neither
    with storage in vInfo; each tab lists the second vCenter's web-01 first. db-01 is in
    vcenter01's vInfo but on vDisk under vcenter02 only. `dropped` are identity columns vDisk
    leaves out (older RVTools versions write fewer)."""
    first = {"VM ID": "vm-101"}
    other = {"VI SDK Server": VCENTER_2, "VM UUID": vm_uuid("web-01-dr"), "VM ID": "vm-101"}
    database = {"VM ID": "vm-102"}
    no_storage = {"Provisioned MiB": None, "In Use MiB": None}
    vdisk = [
        vdisk_row("web-01", 1, 204800, **other),  # 200 GiB in vcenter02
        vdisk_row("web-01", 1, 51200, **first),  # 50 GiB in vcenter01 (row 4)
        vdisk_row("web-01", 2, 10240, **first),
        vdisk_row("db-01", 1, 40960, **database, **{"VI SDK Server": VCENTER_2}),  # row 6
    ]
    kept = [index for index, header in enumerate(RVTOOLS_VDISK) if header not in dropped]
    return rvtools_workbook(
        [
            rvtools_vm("web-01", **first, **no_storage),
            rvtools_vm("web-01", **other, **no_storage),
            rvtools_vm("db-01", **database, **no_storage),
        ],
        vdisk=[[row[index] for index in kept] for row in vdisk],
        vdisk_header=[RVTOOLS_VDISK[index] for index in kept],
        vpartition=[
            vpartition_row("web-01", "/", 204800, 102400, **other),
            vpartition_row("web-01", "C:\\", 51200, 20480, **first),
        ],
        vcpu=[vcpu_row("web-01", 8, 2, 4, **other), vcpu_row("web-01", 2, 1, 2, **first)],
    )


@pytest.mark.parametrize(
    "dropped",
    [(), ("VM UUID",), ("VM UUID", "VM ID")],
    ids=["by VM UUID", "by VM ID and vCenter", "by name and vCenter"],
)
def test_one_vm_name_in_two_vcenters_gets_each_vm_own_tab_values(db, tenant, dropped):
    report = in_uow(db, tenant, import_assets, two_vcenters(dropped), "rv.xlsx", key="name+vcenter")

    assets = assets_by_name(db)
    first = assets["web-01 (vcenter01.corp.example.com)"]
    second = assets["web-01 (vcenter02.corp.example.com)"]
    assert (first.storage_gb, second.storage_gb) == (60.0, 200.0)
    assert (first.custom_attributes["storage_used_gb"], second.custom_attributes["storage_used_gb"]) == (
        20.0, 100.0,
    )  # fmt: skip
    assert (first.custom_attributes["cpu_sockets"], second.custom_attributes["cpu_sockets"]) == (
        1,
        2,
    )
    assert assets["db-01"].storage_gb is None  # its disk is another vCenter's db-01
    assert report.skipped == [
        {
            "row": 6,
            "column": "VM",
            "value": "db-01",
            "reason": "sheet vDisk: no such VM in vInfo, its rows are ignored",
        }
    ]


# RVTools' command-line export names each column by its tab's internal name.
INTERNAL_VINFO = [
    "vInfoVMName", "vInfoPowerstate", "vInfoTemplate", "vInfoSRMPlaceHolder",
    "vInfoGuestHostName", "vInfoCPUs", "vInfoMemory", "vInfoPrimaryIPAddress",
    "vInfoProvisioned", "vInfoInUse", "vInfoOS", "vInfoOSTools", "vInfoDataCenter",
    "vInfoCluster", "vInfoHost", "vInfoUUID", "vInfoVISDKServer",
]  # fmt: skip
INTERNAL_VCPU = ["vCPUVMName", "vCPUPowerstate", "vCPUTemplate", "vCPUCPUs", "vCPUSockets",
                 "vCPUCoresPerSocket"]  # fmt: skip
INTERNAL_VMEMORY = ["vMemoryVMName", "vMemoryPowerstate", "vMemoryTemplate", "vMemorySizeMiB",
                    "vMemoryReservation", "vMemoryUUID"]  # fmt: skip


def test_a_command_line_export_with_internal_column_names_reads_the_same(db, tenant):
    workbook = Workbook()
    info = workbook.active
    info.title = "vInfo"
    info.append(INTERNAL_VINFO)
    info.append(["web-01", "poweredOn", False, False, "web-01.corp.example.com", None, 16384,
                 "10.0.0.10", 102400, 40960, "CentOS 7 (64-bit)", "", "DC-Frankfurt",
                 "CL-Prod-01", "esx01", vm_uuid("web-01"), "vcenter01"])  # fmt: skip
    info.append(["tmpl-01", "poweredOff", True, False, "", 2, 4096, "", 40960, 0,
                 "CentOS 7 (64-bit)", "", "DC-Frankfurt", "CL-Prod-01", "esx01",
                 vm_uuid("tmpl-01"), "vcenter01"])  # fmt: skip
    cpu = workbook.create_sheet("vCPU")
    for row in (INTERNAL_VCPU, ["web-01", "poweredOn", False, 8, 2, 4]):
        cpu.append(row)
    memory = workbook.create_sheet("vMemory")
    for row in (INTERNAL_VMEMORY, ["web-01", "poweredOn", False, 16384, 4096, vm_uuid("web-01")]):
        memory.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    report = in_uow(db, tenant, import_assets, buffer.getvalue(), "RVTools_export_all.xlsx")

    assert report.profile == "RVTools (vInfo)" and report.created == 1
    assert [entry["reason"] for entry in report.skipped] == ["template"]
    web = assets_by_name(db)["web-01"]
    assert (web.cpu_cores, web.memory_gb, web.storage_gb) == (8, 16.0, 100.0)
    assert (web.operating_system, web.os_version) == ("Linux", "CentOS 7")
    custom = web.custom_attributes
    assert (custom["cpu_sockets"], custom["cores_per_socket"]) == (2, 4)
    assert custom["memory_reservation_gb"] == 4.0
    assert (custom["storage_used_gb"], custom["fqdn"], custom["vcenter"]) == (
        40, "web-01.corp.example.com", "vcenter01",
    )  # fmt: skip
    assert report.row_notes == [{"row": 2, "note": "CPU count from sheet vCPU"}]


def test_a_tab_that_cannot_be_read_is_left_out_and_the_preview_says_so(db, tenant):
    content = rvtools_workbook([rvtools_vm("web-01")], vcpu=[vcpu_row("web-01", 4, 2, 2)])
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":  # vCPU
                data = data[: len(data) // 2]  # cut off mid-way, as a broken copy leaves it
            target.writestr(item, data)

    preview = preview_import(damaged.getvalue(), "rvtools.xlsx")
    assert any(
        note.startswith("sheet 'vCPU' cannot be read") and note.endswith("is not used")
        for note in preview.notes
    )
    report = in_uow(db, tenant, import_assets, damaged.getvalue(), "rvtools.xlsx")
    assert report.created == 1
    assert "cpu_sockets" not in assets_by_name(db)["web-01"].custom_attributes
