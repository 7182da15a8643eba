"""Inventory files in the exact layouts the tools write: RVTools, PowerCLI, CMDBs, cloud sheets."""

import csv
import io
import zlib
from typing import Any

from openpyxl import Workbook

# RVTools 4.x vInfo, in the order RVTools writes the columns (a subset: it writes ~90).
RVTOOLS_VINFO = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name",
    "Connection state", "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn",
    "CPUs", "Memory", "NICs", "Disks", "Primary IP Address", "Network #1", "Annotation",
    "Provisioned MiB", "In Use MiB", "Unshared MiB", "Path", "Folder",
    "OS according to the configuration file", "OS according to the VMware Tools",
    "Guest Detailed Data", "VM ID", "VM UUID", "VI SDK Server type", "VI SDK API Version",
    "Datacenter", "Cluster", "Host", "VI SDK Server", "VI SDK UUID",
]  # fmt: skip


def rvtools_vm(name: str, **values: Any) -> list[Any]:
    """One vInfo row: a powered-on Windows VM unless `values` (by header) say otherwise."""
    row: dict[str, Any] = {
        "VM": name, "Powerstate": "poweredOn", "Template": False, "SRM Placeholder": False,
        "Config status": "green", "DNS Name": f"{name}.corp.example.com",
        "Connection state": "connected", "Guest state": "running", "Heartbeat": "green",
        "Consolidation Needed": False, "PowerOn": "2024-05-01 08:00:00", "CPUs": 4,
        "Memory": 16384, "NICs": 1, "Disks": 2, "Primary IP Address": "10.0.0.10",
        "Network #1": "VLAN 100", "Annotation": "", "Provisioned MiB": 122880,
        "In Use MiB": 61440, "Unshared MiB": 61440,
        "Path": f"[ds01] {name}/{name}.vmx", "Folder": "Production/Web",
        "OS according to the configuration file": "Microsoft Windows Server 2019 (64-bit)",
        "OS according to the VMware Tools": "Microsoft Windows Server 2019 (64-bit)",
        "Guest Detailed Data": "", "VM ID": "vm-1001",
        "VM UUID": f"5003e1b2-0000-4000-8000-{zlib.crc32(name.encode()):012d}",
        "VI SDK Server type": "VMware vCenter Server", "VI SDK API Version": "8.0.2",
        "Datacenter": "DC-Frankfurt", "Cluster": "CL-Prod-01", "Host": "esx01.corp.example.com",
        "VI SDK Server": "vcenter01.corp.example.com", "VI SDK UUID": "9a1b-2c3d",
    }  # fmt: skip
    row.update(values)
    return [row[header] for header in RVTOOLS_VINFO]


def rvtools_rows() -> list[list[Any]]:
    """A small estate with what real vCenters hold: templates, placeholders, powered-off VMs."""
    return [
        rvtools_vm("web-01", Annotation="Web front end\nowner: team-web"),  # multi-line cell
        rvtools_vm(
            "db-01",
            Powerstate="poweredOff",
            Memory="65,536",  # thousands separators as some exports print them
            **{"OS according to the VMware Tools": ""},  # Tools not running: blank
            **{"OS according to the configuration file": "CentOS 7 (64-bit)"},
        ),
        rvtools_vm("tmpl-w2019", Template=True, Powerstate="poweredOff"),
        rvtools_vm("web-01-dr", **{"SRM Placeholder": True, "Powerstate": "poweredOff"}),
        rvtools_vm(
            "app-01",
            **{
                "OS according to the VMware Tools": "Ubuntu Linux (64-bit)",
                "Guest Detailed Data": "architecture='X86' bitness='64' distroName='Ubuntu'"
                " familyName='Linux' prettyName='Ubuntu 22.04.3 LTS'",
            },
        ),
    ]


def rvtools_xlsx(rows: list[list[Any]]) -> bytes:
    """A workbook with RVTools' tabs; vCPU comes first here so the reader must pick vInfo."""
    workbook = Workbook()
    vcpu = workbook.active
    vcpu.title = "vCPU"
    vcpu.append(["VM", "Powerstate", "Template", "CPUs", "Sockets", "Cores p/s"])
    vcpu.append(["web-01", "poweredOn", False, 4, 2, 2])
    info = workbook.create_sheet("vInfo")
    info.append(RVTOOLS_VINFO)
    for index, row in enumerate(rows):
        info.append(row)
        if index == 1:
            info.append([None] * len(RVTOOLS_VINFO))  # a blank row inside the data
    for title in ("vMemory", "vDisk", "vPartition", "vHost"):
        workbook.create_sheet(title).append(["VM", "Powerstate"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(header: list[str], rows: list[list[Any]], *, first_line: str = "") -> bytes:
    buffer = io.StringIO(newline="")
    if first_line:
        buffer.write(first_line + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


AWS_CMF_HEADER = [
    "wave_name", "app_name", "cloudendure_projectname", "aws_accountid", "server_name",
    "server_os_family", "server_os_version", "server_fqdn", "server_tier",
    "server_environment", "r_type", "subnet_IDs", "securitygroup_IDs", "instanceType",
    "tenancy",
]  # fmt: skip
SERVICENOW_HEADER = [
    "sys_id", "sys_class_name", "name", "fqdn", "ip_address", "os", "os_version", "cpu_count",
    "cpu_core_count", "ram", "disk_space", "u_environment", "asset_tag", "short_description",
]  # fmt: skip
POWERCLI_HEADER = [
    "Name", "PowerState", "Notes", "Guest", "NumCpu", "CoresPerSocket", "MemoryMB", "MemoryGB",
    "VMHostId", "VMHost", "Folder", "Version", "GuestId", "UsedSpaceGB", "ProvisionedSpaceGB",
    "PersistentId", "Id",
]  # fmt: skip
# Azure Migrate's import template ("*" marks the columns it requires).
AZURE_MIGRATE_HEADER = [
    "*Server Name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
    "OS architecture", "Number of disks", "Disk 1 size (In GB)", "Disk 2 size (In GB)",
]  # fmt: skip
AWS_MIGRATION_HUB_HEADER = [
    "ExternalId", "SMBiosId", "IPAddress", "MACAddress", "HostName", "VMware.MoRefId",
    "VMware.VCenterId", "CPU.NumberOfProcessors", "CPU.NumberOfCores",
    "CPU.NumberOfLogicalCores", "OS.Name", "OS.Version", "VMware.VMName", "RAM.TotalSizeInMB",
    "RAM.UsedSizeInMB.Avg", "Applications", "Tags",
]  # fmt: skip
