"""Azure Migrate Export's reports: the discovery report and the assessment core report.

Headers as the tool writes them (github.com/Azure/azure-migrate-export, src/Common/
DiscoveryReportConstants.cs and CoreReportConstants.cs): "Machine Name", "Environment",
"Operating System", "Cores", "Memory (in MB)", "Storage (in GB)", "IP Addresses" and "MAC
Addresses" as lists written "[10.0.0.1,fe80::1];", "Boot Type", "Power Stats", "VM Host",
"Machine ID". The servers are on "Discovery_Report" (discovery) and on
"All_VM_IaaS_Server_Rehost_Perf" (assessment; its other sheets hold SQL instances, web apps
and subsets of the servers). The Machine ID is an Azure resource id under the appliance's
site: `/vmwaresites/` and `/hypervsites/` are virtual machines of that hypervisor,
`/serversites/` (and `/importsites/`) physical or imported servers.
"""

import re
from typing import Any

from core.inventory.profiles.profile import Headers, Profile

_SITES = (
    ("/vmwaresites/", "virtual_machine", "vmware"),
    ("/hypervsites/", "virtual_machine", "hyper-v"),
    ("/serversites/", "server", "physical"),
    ("/mastersites/", "server", None),
    ("/importsites/", "server", None),
)
_LIST = re.compile(r"^\s*\[(.*)\]\s*;?\s*$", re.DOTALL)


def plain_list(value: Any) -> Any:
    """'[10.0.0.1,fe80::1];' -> '10.0.0.1, fe80::1'; '[];' -> None; anything else as it is."""
    if not isinstance(value, str):
        return value
    found = _LIST.match(value)
    if found is None:
        return value
    items = [item.strip() for item in found.group(1).split(",") if item.strip()]
    return ", ".join(items) or None


def _site_of(values: dict[str, Any], custom: dict[str, Any]) -> None:
    for key in ("ip_address", "mac_address", "disk_names"):
        if key in custom:
            custom[key] = plain_list(custom[key])
    machine = str(custom.get("machine_id") or "").lower()
    found = next((site for site in _SITES if site[0] in machine), None)
    if found is None:
        return
    _mark, asset_type, platform = found
    if not values.get("asset_type"):
        values["asset_type"] = asset_type
    if platform is not None and not custom.get("virtualization_platform"):
        custom["virtualization_platform"] = platform


def _is_migrate_export(headers: Headers, sheets: tuple[str, ...]) -> bool:
    return {"machine_name", "machine_id"} <= headers


MIGRATE_EXPORT = Profile(
    name="azure_migrate_export",
    label="Azure Migrate Export report",
    detect=_is_migrate_export,
    columns={
        "machine_name": "name",
        "machine_id": "machine_id",
        "environment": "environment",
        "operating_system": "operating_system",
        "cores": "cpu_cores",
        "memory_in_mb": "memory_gb",
        "storage_in_gb": "storage_gb",
        "total_disks": "disk_count",
        "number_of_disks": "disk_count",
        "ip_addresses": "ip_address",
        "mac_addresses": "mac_address",
        "total_network_adapters": "network_adapters",
        "network_adapters": "network_adapters",
        "boot_type": "boot_type",
        "power_stats": "power_state",
        "support_status": "os_support_status",
        "vm_host": "host",
        "cpu_utilization_in": "cpu_utilization_pct",
        "memory_utilization_in": "memory_utilization_pct",
        "disk_names": "disk_names",
        "sql_instance": "sql_instance",
        "first_discovery_time": "first_discovered_at",
        "last_updated_time": "last_updated_at",
    },
    units={"memory_in_mb": "mb", "storage_in_gb": "gb"},
    row_hook=_site_of,
    sheets=("discovery_report", "all_vm_iaas_server_rehost_perf"),
)
