"""Migration tools' own sheets: the Azure Migrate import CSV, the AWS Migration Hub import
template and the AWS Cloud Migration Factory / MGN server list.

Headers as the tools name them: Azure Migrate's "*Server Name", "*Cores", "*Memory (In MB)",
"*OS name", "Disk 1 size (In GB)" ... (storage is the sum of the disk sizes); AWS Migration Hub's
"ExternalId", "HostName", "CPU.NumberOfLogicalCores", "RAM.TotalSizeInMB", "OS.Name",
"VMware.MoRefId" (a VMware VM when set); CMF's "server_name", "server_os_family", ... .
"""

import re

from core.inventory.profiles.profile import Headers, Profile


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
    },
    units={"memory_in_mb": "mb"},
    storage_parts=re.compile(r"disk_\d+_size_in_gb"),
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
        "smbiosid": "vm_uuid",
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
