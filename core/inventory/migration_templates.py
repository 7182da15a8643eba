"""A flow's assets, with the values collected for them, in the import sheets of the next tools.

Column names, order and spelling are exactly those of the templates:
- Azure Migrate's import CSV ("import-based discovery" in Azure Migrate: Discovery and
  assessment; "*" marks a required column), as the portal's template
  (go.microsoft.com/fwlink/?linkid=2109031) writes it: "*Server name", "IP addresses",
  "*Cores", "*Memory (In MB)", "*OS name", "OS version", "OS architecture", "Server type",
  "Hypervisor", "CPU utilization percentage", "Memory utilization percentage", "Network
  adapters", "Network In throughput", "Network Out throughput", "Boot type", "Number of
  disks", "Storage in use (In GB)", then per disk "Disk N size (In GB)" and its read / write
  throughput (MB per second) and read / write ops (operations per second); fields as
  learn.microsoft.com/azure/migrate/tutorial-discover-import lists them (up to twenty disks);
- the AWS Migration Hub import template, as docs.aws.amazon.com/application-discovery/latest/
  userguide/discovery-import.html lists its fields ("Migration Hub import template"), in order.
Values a template asks for that no asset holds (throughput, disk operations) are left empty.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from db.models import Asset

AZURE_MIGRATE_SERVER_COLUMNS = (
    "*Server name", "IP addresses", "*Cores", "*Memory (In MB)", "*OS name", "OS version",
    "OS architecture", "Server type", "Hypervisor", "CPU utilization percentage",
    "Memory utilization percentage", "Network adapters", "Network In throughput",
    "Network Out throughput", "Boot type", "Number of disks", "Storage in use (In GB)",
)  # fmt: skip
AZURE_MIGRATE_MAX_DISKS = 20
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
_HYPERVISORS = {"vmware": "VMware", "hyper-v": "Hyper-V"}
_VIRTUAL_PLATFORMS = {"vmware", "hyper-v", "kvm"}
_BOOT_TYPES = {"bios": "BIOS", "efi": "UEFI", "uefi": "UEFI"}
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def azure_disk_columns(disk: int) -> tuple[str, ...]:
    return (
        f"Disk {disk} size (In GB)",
        f"Disk {disk} read throughput (MB per second)",
        f"Disk {disk} write throughput (MB per second)",
        f"Disk {disk} read ops (operations per second)",
        f"Disk {disk} write ops (operations per second)",
    )


def azure_migrate_columns(disks: int = 1) -> tuple[str, ...]:
    """The template's header for a file whose servers have up to `disks` disks (at least one
    group, at most twenty)."""
    groups = max(1, min(disks, AZURE_MIGRATE_MAX_DISKS))
    return (
        *AZURE_MIGRATE_SERVER_COLUMNS,
        *(column for disk in range(1, groups + 1) for column in azure_disk_columns(disk)),
    )


AZURE_MIGRATE_COLUMNS = azure_migrate_columns(1)


def _megabytes(gigabytes: float | None) -> int | None:
    return None if gigabytes is None else round(gigabytes * 1024)


def _os_name(asset: Asset, custom: dict[str, Any]) -> str | None:
    """The full OS name when the source gave one, else family and version as collected."""
    if custom.get("os_name"):
        return str(custom["os_name"])
    parts = [part for part in (asset.operating_system, asset.os_version) if part]
    return " ".join(parts) or None


def _architecture(name: str | None, custom: dict[str, Any]) -> str | None:
    given = str(custom.get("os_architecture") or "").strip().lower()
    if given in ("x64", "x86", "amd64"):
        return given
    if given in ("64-bit", "64"):
        return "x64"
    if given in ("32-bit", "32"):
        return "x86"
    if not name:
        return None
    if re.search(r"64[- ]?bit|x64|x86_64|amd64", name, re.IGNORECASE):
        return "x64"
    return "x86" if re.search(r"32[- ]?bit|\bx86\b", name, re.IGNORECASE) else None


def _plain_list(value: Any) -> str | None:
    """Addresses as a plain comma-separated list ("[a,b];" as some tools write it too)."""
    if value is None:
        return None
    items = [item for item in re.split(r"[\s,;\[\]]+", str(value)) if item]
    return ", ".join(items) or None


def disk_sizes(asset: Asset) -> list[float]:
    """Each disk's size in GB as the file gave them (RVTools' vDisk), else the storage as one."""
    listed = (asset.custom_attributes or {}).get("disk_sizes_gb")
    sizes = []
    for part in str(listed or "").split(","):
        try:
            sizes.append(float(part))
        except ValueError:
            continue
    if sizes:
        return sizes[:AZURE_MIGRATE_MAX_DISKS]
    return [] if asset.storage_gb is None else [asset.storage_gb]


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


def _server_type(asset: Asset, platform: str) -> str | None:
    if asset.asset_type == "virtual_machine" or platform in _VIRTUAL_PLATFORMS:
        return "Virtual"
    return "Physical" if platform == "physical" else None


def most_disks(assets: Iterable[Asset]) -> int:
    """How many disk column groups the assets' file needs."""
    return max((len(disk_sizes(asset)) for asset in assets), default=1)


def azure_migrate_table(assets: Iterable[Asset], disks: int | None = None) -> Table:
    """The template's header and rows; `disks` (from `most_disks` over a first pass) lets the
    rows stream, otherwise the assets are read into a list to count them."""
    if disks is None:
        assets = list(assets)
        disks = most_disks(assets)
    header = azure_migrate_columns(disks)

    def row(asset: Asset) -> list[Any]:
        custom = asset.custom_attributes or {}
        name = _os_name(asset, custom)
        platform = str(custom.get("virtualization_platform") or "").lower()
        server_type = _server_type(asset, platform)
        disks = disk_sizes(asset)
        boot = str(custom.get("boot_type") or "").strip()
        values = {
            "*Server name": asset.name,
            "IP addresses": _plain_list(custom.get("ip_address")),
            "*Cores": asset.cpu_cores,
            "*Memory (In MB)": _megabytes(asset.memory_gb),
            "*OS name": name,
            "OS version": asset.os_version,
            "OS architecture": _architecture(name, custom),
            "Server type": server_type,
            "Hypervisor": _HYPERVISORS.get(platform) if server_type == "Virtual" else None,
            "CPU utilization percentage": custom.get("cpu_utilization_pct"),
            "Memory utilization percentage": custom.get("memory_utilization_pct"),
            "Network adapters": custom.get("network_adapters"),
            "Boot type": _BOOT_TYPES.get(boot.lower(), boot or None),
            "Number of disks": len(disks) or custom.get("disk_count"),
            "Storage in use (In GB)": custom.get("storage_used_gb"),
            **{f"Disk {n} size (In GB)": _number(size) for n, size in enumerate(disks, 1)},
        }
        return [values.get(column) for column in header]

    return header, (row(asset) for asset in assets)


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


def _whole(value: Any) -> int | None:
    try:
        return int(value) if value is not None and float(value).is_integer() else None
    except (TypeError, ValueError):
        return None


def aws_migration_hub_table(assets: Iterable[Asset]) -> Table:
    def row(asset: Asset) -> list[Any]:
        custom = asset.custom_attributes or {}
        vmware = str(custom.get("virtualization_platform") or "").lower() == "vmware"
        moref = custom.get("vmware_moref_id")
        sockets, per_socket = (
            _whole(custom.get("cpu_sockets")),
            _whole(custom.get("cores_per_socket")),
        )
        cores = sockets * per_socket if sockets and per_socket else _whole(
            custom.get("cpu_physical_cores")
        )  # fmt: skip
        values = {
            "ExternalId": str(asset.id),
            "SMBiosId": custom.get("smbios_uuid"),
            "IPAddress": _plain_list(custom.get("ip_address")),
            "MACAddress": _plain_list(custom.get("mac_address")),
            "HostName": asset.name,  # re-imported, the same name (the FQDN is no second asset)
            "VMware.MoRefId": moref,
            "VMware.VCenterId": (custom.get("vcenter_uuid") or custom.get("vcenter"))
            if moref
            else None,
            "CPU.NumberOfProcessors": sockets,
            "CPU.NumberOfCores": cores,
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
