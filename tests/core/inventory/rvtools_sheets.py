"""RVTools 4.x per-VM tabs as RVTools writes them: every column, in RVTools' order, sizes in
MiB, CPU reservations in MHz. vCPU and vMemory hold one row per VM, vDisk one per virtual
disk, vPartition one per guest partition; each names the VM's "VM ID", "VM UUID" and vCenter
("VI SDK Server") as vInfo does. Cells a row does not set are blank, as RVTools leaves them."""

import io
import zlib
from typing import Any

from openpyxl import Workbook

from tests.core.inventory.profile_files import RVTOOLS_VINFO

VCENTER = "vcenter01.corp.example.com"
_TAIL = [
    "Annotation", "Backup status", "ClusterInvariantVMMId", "Last backup", "Datacenter",
    "Cluster", "Host", "Folder", "OS according to the configuration file",
    "OS according to the VMware Tools", "VM ID", "VM UUID", "VI SDK Server", "VI SDK UUID",
]  # fmt: skip
RVTOOLS_VCPU = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "CPUs", "Sockets", "Cores p/s", "Max",
    "Overall", "Level", "Shares", "Reservation", "Entitlement", "DRS Entitlement", "Limit",
    "Hot Add", "Hot Remove", "Numa Hotadd Exposed", *_TAIL,
]  # fmt: skip
RVTOOLS_VMEMORY = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Size MiB",
    "Memory Reservation Locked To Max", "Overhead", "Max", "Consumed", "Consumed Overhead",
    "Private", "Shared", "Swapped", "Ballooned", "Active", "Entitlement", "DRS Entitlement",
    "Level", "Shares", "Reservation", "Limit", "Hot Add", *_TAIL,
]  # fmt: skip
RVTOOLS_VDISK = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Disk", "Disk Key", "Disk UUID",
    "Disk Path", "Capacity MiB", "Raw", "Disk Mode", "Sharing mode", "Thin", "Eagerly Scrub",
    "Split", "Write Through", "Level", "Shares", "Reservation", "Limit", "Controller", "Label",
    "SCSI Unit #", "Unit #", "Shared Bus", "Path", "Raw LUN ID", "Raw Comp. Mode",
    "Internal Sort Column", *_TAIL,
]  # fmt: skip
RVTOOLS_VPARTITION = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Disk Key", "Disk", "Capacity MiB",
    "Consumed MiB", "Free MiB", "Free %", "Internal Sort Column", *_TAIL,
]  # fmt: skip


def vm_uuid(name: str) -> str:
    """The "VM UUID" profile_files.rvtools_vm gives a VM of this name."""
    return f"5003e1b2-0000-4000-8000-{zlib.crc32(name.encode()):012d}"


def _row(header: list[str], vm: str, values: dict[str, Any]) -> list[Any]:
    row: dict[str, Any] = {
        "VM": vm, "Powerstate": "poweredOn", "Template": False, "SRM Placeholder": False,
        "Datacenter": "DC-Frankfurt", "Cluster": "CL-Prod-01", "Host": "esx01.corp.example.com",
        "Folder": "Production/Web", "VM ID": "vm-1001", "VM UUID": vm_uuid(vm),
        "VI SDK Server": VCENTER, "VI SDK UUID": "9a1b-2c3d",
    }  # fmt: skip
    row.update(values)
    return [row.get(column) for column in header]


def vcpu_row(vm: str, cpus: Any, sockets: Any, cores_per_socket: Any, **values: Any) -> list[Any]:
    row = {"CPUs": cpus, "Sockets": sockets, "Cores p/s": cores_per_socket, "Shares": 1000 * cpus,
           "Reservation": 0, "Limit": -1, "Level": "normal", "Hot Add": False,
           "Hot Remove": False}  # fmt: skip
    return _row(RVTOOLS_VCPU, vm, {**row, **values})


def vmemory_row(vm: str, size_mib: Any, reservation_mib: Any = 0, **values: Any) -> list[Any]:
    row = {"Size MiB": size_mib, "Memory Reservation Locked To Max": False, "Overhead": 58,
           "Consumed": 4096, "Active": 655, "Shares": 163840, "Reservation": reservation_mib,
           "Limit": -1, "Level": "normal", "Hot Add": False}  # fmt: skip
    return _row(RVTOOLS_VMEMORY, vm, {**row, **values})


def vdisk_row(
    vm: str, disk: int, capacity_mib: Any, *, template: bool = False, **values: Any
) -> list[Any]:
    row = {
        "Template": template, "Disk": f"Hard disk {disk}", "Disk Key": 2000 + disk,
        "Disk UUID": f"6000C29{disk}", "Disk Path": f"[ds01] {vm}/{vm}_{disk}.vmdk",
        "Capacity MiB": capacity_mib, "Raw": False, "Disk Mode": "persistent",
        "Sharing mode": "sharingNone", "Thin": True, "Eagerly Scrub": False, "Split": False,
        "Write Through": False, "Level": "normal", "Shares": 1000, "Reservation": 0,
        "Limit": -1, "Controller": "SCSI controller 0", "Label": f"Hard disk {disk}",
        "SCSI Unit #": f"0:{disk}", "Unit #": disk, "Shared Bus": "noSharing",
    }  # fmt: skip
    return _row(RVTOOLS_VDISK, vm, {**row, **values})


def vpartition_row(
    vm: str, disk: str, capacity_mib: int, consumed_mib: Any, **values: Any
) -> list[Any]:
    free = capacity_mib - consumed_mib if isinstance(consumed_mib, int) else None
    row = {
        "Disk Key": 2001, "Disk": disk, "Capacity MiB": capacity_mib,
        "Consumed MiB": consumed_mib, "Free MiB": free,
        "Free %": round(100 * free / capacity_mib) if free is not None else None,
    }  # fmt: skip
    return _row(RVTOOLS_VPARTITION, vm, {**row, **values})


def rvtools_workbook(
    vinfo: list[list[Any]],
    vdisk: list[list[Any]] | None = None,
    vpartition: list[list[Any]] | None = None,
    *,
    vcpu: list[list[Any]] | None = None,
    vmemory: list[list[Any]] | None = None,
    vinfo_header: list[str] = RVTOOLS_VINFO,
    vdisk_header: list[str] = RVTOOLS_VDISK,
) -> bytes:
    """vInfo, vCPU (its header alone unless rows are given), then the tabs given; a blank row
    (as people leave them) after the first row of each."""
    workbook = Workbook()
    info = workbook.active
    info.title = "vInfo"
    for row in [vinfo_header, *vinfo]:
        info.append(row)
    for title, header, rows in (
        ("vCPU", RVTOOLS_VCPU, vcpu if vcpu is not None else []),
        ("vMemory", RVTOOLS_VMEMORY, vmemory),
        ("vDisk", vdisk_header, vdisk),
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
