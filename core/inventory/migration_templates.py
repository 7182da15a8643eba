"""A flow's assets, with the values collected for them, in the import sheets of the next tools.

Column names are exactly those of the templates:
- Azure Migrate's import CSV ("import-based discovery" in Azure Migrate: Discovery and
  assessment; "*" marks a required column), as the template and
  github.com/lrivallain/rvtools2azmigrate (azmigrate_vm.py) write it;
- the AWS Migration Hub import template, as docs.aws.amazon.com/application-discovery/latest/
  userguide/discovery-import.html lists its fields ("Supported Import File Fields").
Values a template asks for that no asset holds (utilisation, throughput) are left empty.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from db.models import Asset

AZURE_MIGRATE_COLUMNS = (
    "*Server Name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
    "OS architecture", "CPU utilization percentage", "Memory utilization percentage",
    "Network adapters", "Network In throughput", "Network Out throughput", "Boot type",
    "Number of disks", "Disk 1 size (In GB)", "Disk 1 read throughput (MB per second)",
    "Disk 1 write throughput (MB per second)", "Disk 1 read ops (operations per second)",
    "Disk 1 write ops (operations per second)",
)  # fmt: skip
AWS_MIGRATION_HUB_COLUMNS = (
    "ExternalId", "SMBiosId", "IPAddress", "MACAddress", "HostName", "VMware.MoRefId",
    "VMware.VCenterId", "CPU.NumberOfProcessors", "CPU.NumberOfCores",
    "CPU.NumberOfLogicalCores", "OS.Name", "OS.Version", "VMware.VMName", "RAM.TotalSizeInMB",
    "RAM.UsedSizeInMB.Avg", "RAM.UsedSizeInMB.Max", "CPU.UsagePct.Avg", "CPU.UsagePct.Max",
    "DiskReadsPerSecondInKB.Avg", "DiskWritesPerSecondInKB.Avg", "DiskReadsPerSecondInKB.Max",
    "DiskWritesPerSecondInKB.Max", "DiskReadsOpsPerSecond.Avg", "DiskWritesOpsPerSecond.Avg",
    "DiskReadsOpsPerSecond.Max", "DiskWritesOpsPerSecond.Max", "NetworkReadsPerSecondInKB.Avg",
    "NetworkWritesPerSecondInKB.Avg", "NetworkReadsPerSecondInKB.Max",
    "NetworkWritesPerSecondInKB.Max", "Applications", "ApplicationWave", "Tags", "ServerId",
)  # fmt: skip
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def _megabytes(gigabytes: float | None) -> int | None:
    return None if gigabytes is None else round(gigabytes * 1024)


def _os_name(asset: Asset, custom: dict[str, Any]) -> str | None:
    """The full OS name when the source gave one, else family and version as collected."""
    if custom.get("os_name"):
        return str(custom["os_name"])
    parts = [part for part in (asset.operating_system, asset.os_version) if part]
    return " ".join(parts) or None


def _architecture(name: str | None) -> str | None:
    if not name:
        return None
    if re.search(r"64[- ]?bit|x64|x86_64|amd64", name, re.IGNORECASE):
        return "x64"
    return "x86" if re.search(r"32[- ]?bit|\bx86\b", name, re.IGNORECASE) else None


def azure_migrate_table(assets: Iterable[Asset]) -> Table:
    def row(asset: Asset) -> list[Any]:
        custom = asset.custom_attributes or {}
        name = _os_name(asset, custom)
        values = {
            "*Server Name": asset.name,
            "IP addresses": custom.get("ip_address"),
            "*Cores": asset.cpu_cores,
            "*Memory (In MB)": _megabytes(asset.memory_gb),
            "*OS name": name,
            "OS version": asset.os_version,
            "OS architecture": _architecture(name),
            "Number of disks": 1 if asset.storage_gb is not None else None,
            "Disk 1 size (In GB)": asset.storage_gb,
        }
        return [values.get(column) for column in AZURE_MIGRATE_COLUMNS]

    return AZURE_MIGRATE_COLUMNS, (row(asset) for asset in assets)


def _tags(asset: Asset, custom: dict[str, Any]) -> str | None:
    pairs = {
        "environment": asset.environment,
        "criticality": asset.business_criticality,
        "type": asset.asset_type,
        "datacenter": custom.get("datacenter"),
    }
    # The template reads "key:value, key:value": neither may hold a comma or a colon.
    shown = [
        f"{key}:{re.sub(r'[,:]', ' ', str(value)).strip()}" for key, value in pairs.items() if value
    ]
    return ", ".join(shown) or None


def aws_migration_hub_table(assets: Iterable[Asset]) -> Table:
    def row(asset: Asset) -> list[Any]:
        custom = asset.custom_attributes or {}
        vmware = str(custom.get("virtualization_platform") or "").lower() == "vmware"
        values = {
            "ExternalId": str(asset.id),
            "SMBiosId": custom.get("vm_uuid"),
            "IPAddress": custom.get("ip_address"),
            "HostName": custom.get("fqdn") or asset.name,
            "VMware.MoRefId": custom.get("vmware_moref_id"),
            "VMware.VCenterId": custom.get("vcenter") if custom.get("vmware_moref_id") else None,
            "CPU.NumberOfLogicalCores": asset.cpu_cores,
            "OS.Name": _os_name(asset, custom) if custom.get("os_name") else asset.operating_system,
            "OS.Version": asset.os_version,
            "VMware.VMName": asset.name if vmware else None,
            "RAM.TotalSizeInMB": _megabytes(asset.memory_gb),
            "Applications": custom.get("application"),
            "ApplicationWave": custom.get("wave"),
            "Tags": _tags(asset, custom),
        }
        return [values.get(column) for column in AWS_MIGRATION_HUB_COLUMNS]

    return AWS_MIGRATION_HUB_COLUMNS, (row(asset) for asset in assets)
