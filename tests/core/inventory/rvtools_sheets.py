"""RVTools 4.x vDisk and vPartition tabs as RVTools writes them (a subset of their columns,
in RVTools' order): one row per virtual disk, one row per guest partition, sizes in MiB."""

import io
from typing import Any

from openpyxl import Workbook

from tests.core.inventory.profile_files import RVTOOLS_VINFO

RVTOOLS_VDISK = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Disk", "Disk Key", "Disk UUID",
    "Disk Path", "Capacity MiB", "Raw", "Disk Mode", "Sharing mode", "Thin", "Controller",
    "Unit #", "Datacenter", "Cluster", "Host", "VI SDK Server",
]  # fmt: skip
RVTOOLS_VPARTITION = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Disk Key", "Disk", "Capacity MiB",
    "Consumed MiB", "Free MiB", "Free %", "Datacenter", "Cluster", "Host", "VI SDK Server",
]  # fmt: skip


def vdisk_row(vm: str, disk: int, capacity_mib: Any, *, template: bool = False) -> list[Any]:
    row = {
        "VM": vm, "Powerstate": "poweredOn", "Template": template, "SRM Placeholder": False,
        "Disk": f"Hard disk {disk}", "Disk Key": 2000 + disk, "Disk UUID": f"6000C29{disk}",
        "Disk Path": f"[ds01] {vm}/{vm}_{disk}.vmdk", "Capacity MiB": capacity_mib,
        "Raw": False, "Disk Mode": "persistent", "Sharing mode": "sharingNone", "Thin": True,
        "Controller": "SCSI controller 0", "Unit #": disk, "Datacenter": "DC-Frankfurt",
        "Cluster": "CL-Prod-01", "Host": "esx01.corp.example.com",
        "VI SDK Server": "vcenter01.corp.example.com",
    }  # fmt: skip
    return [row[header] for header in RVTOOLS_VDISK]


def vpartition_row(vm: str, disk: str, capacity_mib: int, consumed_mib: Any) -> list[Any]:
    free = capacity_mib - consumed_mib if isinstance(consumed_mib, int) else None
    row = {
        "VM": vm, "Powerstate": "poweredOn", "Template": False, "SRM Placeholder": False,
        "Disk Key": 2001, "Disk": disk, "Capacity MiB": capacity_mib,
        "Consumed MiB": consumed_mib, "Free MiB": free,
        "Free %": round(100 * free / capacity_mib) if free is not None else None,
        "Datacenter": "DC-Frankfurt", "Cluster": "CL-Prod-01", "Host": "esx01.corp.example.com",
        "VI SDK Server": "vcenter01.corp.example.com",
    }  # fmt: skip
    return [row[header] for header in RVTOOLS_VPARTITION]


def rvtools_workbook(
    vinfo: list[list[Any]],
    vdisk: list[list[Any]] | None = None,
    vpartition: list[list[Any]] | None = None,
    *,
    vinfo_header: list[str] = RVTOOLS_VINFO,
) -> bytes:
    """vInfo, vCPU, then the disk tabs given; a blank row (as people leave them) in each."""
    workbook = Workbook()
    info = workbook.active
    info.title = "vInfo"
    for row in [vinfo_header, *vinfo]:
        info.append(row)
    workbook.create_sheet("vCPU").append(["VM", "Powerstate", "Template", "CPUs"])
    for title, header, rows in (
        ("vDisk", RVTOOLS_VDISK, vdisk),
        ("vPartition", RVTOOLS_VPARTITION, vpartition),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        sheet.append(header)
        for index, row in enumerate(rows):
            sheet.append(row)
            if index == 0:
                sheet.append([None] * len(header))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
