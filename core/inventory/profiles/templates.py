"""Migration tools' own sheets: the Azure Migrate import CSV, the AWS Migration Hub import
template and the AWS Cloud Migration Factory / MGN server list.

Headers as the tools name them: Azure Migrate's "*Server Name", "*Cores", "*Memory (In MB)",
"*OS name", "Disk 1 size (In GB)" ... (storage is the sum of the disk sizes); AWS Migration Hub's
"ExternalId", "HostName", "CPU.NumberOfLogicalCores", "RAM.TotalSizeInMB", "OS.Name",
"VMware.MoRefId" (a VMware VM when set); CMF's "server_name", "server_os_family", ... .
"""

import re
from typing import Any

from core.catalogue.numbers import GIGABYTES, parse_number
from core.catalogue.text_values import ValueProblem
from core.inventory.profiles.profile import Headers, Profile

_DISK_SIZE = re.compile(r"disk_(\d+)_size_in_gb")
_SERVER_TYPES = {"virtual": "virtual_machine", "physical": "server"}


def _azure_row(values: dict[str, Any], custom: dict[str, Any]) -> None:
    """What our own Azure Migrate sheet (and the portal's) says of a server, read back: its
    type, its hypervisor as the catalogue writes it, each disk's size."""
    server_type = str(custom.get("server_type") or "").strip().lower()
    if server_type in _SERVER_TYPES and not values.get("asset_type"):
        values["asset_type"] = _SERVER_TYPES[server_type]
    platform = custom.get("virtualization_platform")
    if isinstance(platform, str):
        custom["virtualization_platform"] = platform.strip().lower() or None
    disks = sorted(
        (int(found.group(1)), value)
        for key, value in custom.items()
        if (found := _DISK_SIZE.fullmatch(key)) and value is not None
    )
    sizes = []
    for _n, size in disks:
        try:
            number = parse_number(size, GIGABYTES)
        except ValueProblem:
            return  # a size that is no number: the disks are not listed
        if number is not None:
            sizes.append(number)
    if len(sizes) > 1:
        custom["disk_sizes_gb"] = ", ".join(f"{round(size, 2):g}" for size in sizes)


def _is_azure_migrate(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    return {"server_name", "cores", "memory_in_mb", "os_name"} <= headers


AZURE_MIGRATE = Profile(
    name="azure_migrate",
    label="Azure Migrate import CSV",
    detect=_is_azure_migrate,
    columns={
        "server_name": "name",
        "ip_addresses": "ip_address",
        "cores": "cpu_cores",
        "memory_in_mb": "memory_gb",
        "os_name": "operating_system",
        "os_version": "os_version",
        "os_architecture": "os_architecture",
        "mac_address": "mac_address",
        "server_type": "server_type",
        "hypervisor": "virtualization_platform",
        "cpu_utilization_percentage": "cpu_utilization_pct",
        "memory_utilization_percentage": "memory_utilization_pct",
        "network_adapters": "network_adapters",
        "boot_type": "boot_type",
        "number_of_disks": "disk_count",
        "storage_in_use_in_gb": "storage_used_gb",
    },
    units={"memory_in_mb": "mb", "storage_in_use_in_gb": "gb"},
    storage_parts=re.compile(r"disk_\d+_size_in_gb"),
    row_hook=_azure_row,
)


def _is_aws_migration_hub(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    marks = {"ram_totalsizeinmb", "cpu_numberofcores", "cpu_numberoflogicalcores",
             "vmware_morefid", "externalid", "smbiosid"}  # fmt: skip
    return len(marks & headers) >= 2


AWS_MIGRATION_HUB = Profile(
    name="aws_migration_hub",
    label="AWS Migration Hub import template",
    detect=_is_aws_migration_hub,
    columns={
        "hostname": "name",
        "vmware_vmname": "vm_name",
        "externalid": "asset_tag",
        "smbiosid": "smbios_uuid",
        "ipaddress": "ip_address",
        "macaddress": "mac_address",
        "cpu_numberoflogicalcores": "cpu_cores",
        "cpu_numberofcores": "cpu_physical_cores",
        "cpu_numberofprocessors": "cpu_sockets",
        "ram_totalsizeinmb": "memory_gb",
        "os_name": "operating_system",
        "os_version": "os_version",
        "vmware_morefid": "vmware_moref_id",
        "vmware_vcenterid": "vcenter",
        "applications": "application",
        "applicationwave": "wave",
        "tags": "tags",
    },
    units={"ram_totalsizeinmb": "mb"},
    name_fallbacks=("vm_name", "asset_tag"),
    platform_when="vmware_moref_id",
    # A row naming a VMware VM (its MoRefId or VM name) is a virtual machine
    type_when=(("vmware_moref_id", None, "virtual_machine"), ("vm_name", None, "virtual_machine")),
)


def _is_aws_cmf(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    marks = {"server_os_family", "server_os_version", "wave_name", "app_name",
             "server_environment", "server_fqdn", "r_type"}  # fmt: skip
    return "server_name" in headers and len(marks & headers) >= 2


AWS_CMF = Profile(
    name="aws_cmf",
    label="AWS Cloud Migration Factory / MGN server list",
    detect=_is_aws_cmf,
    columns={
        "server_name": "name",
        "server_os_family": "operating_system",
        "server_os_version": "os_version",
        "server_environment": "environment",
        "server_fqdn": "fqdn",
        "app_name": "application",
        "server_tier": "tier",
        "wave_name": "wave",
        "r_type": "migration_strategy",
    },
)
