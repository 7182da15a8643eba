"""Which asset field each column of an inventory export holds.

Discovery tools and spreadsheets name the same thing many ways ("Hostname", "CI name",
"VM"; "RAM (MB)", "Memory", "Provisioned MiB"). A header is normalized (lower case, words
joined by "_"), a size unit in it is noted (MB columns are converted to GB on import), and
the rest is looked up in the aliases below. Catalogue attributes that are not typed columns
go to `custom_attributes` under their catalogue name; anything else goes there under its
normalized header, so nothing in the file is lost.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.catalogue.attributes import CATALOGUE, TYPED_ASSET_FIELDS
from core.catalogue.numbers import GIGABYTES

CUSTOM_PREFIX = "custom_attributes."
SIZE_FIELDS = frozenset(a.name for a in CATALOGUE if a.unit == GIGABYTES)

# Per field, its aliases best first: when two columns name one field, the better alias wins
# and the other column is kept as a custom attribute.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "asset_name", "hostname", "host_name", "server_name", "ci_name",
        "configuration_item", "computer_name", "device_name", "machine_name", "system_name",
        "vm", "vm_name", "virtual_machine_name", "application_name", "app_name",
        "database_name", "display_name", "dns_name", "fqdn", "server", "computer", "device", "ci",
    ),
    "asset_type": (
        "asset_type", "type", "class", "ci_class", "sys_class_name", "asset_class", "ci_type",
        "device_type", "server_type", "category", "asset_category", "kind", "resource_type",
    ),
    "operating_system": (
        "operating_system", "os", "os_name", "operating_system_name", "os_family",
        "os_according_to_the_vmware_tools", "os_according_to_the_configuration_file",
        "guest_os", "guest_operating_system", "platform_os",
    ),
    "os_version": (
        "os_version", "operating_system_version", "osver", "os_ver", "os_release",
        "os_build", "os_service_pack", "version_of_os",
    ),
    "cpu_cores": (
        "cpu_cores", "cores", "cpu_core_count", "core_count", "number_of_cores", "num_cores",
        "total_cores", "cpucore", "vcpu", "vcpus", "cpus", "cpu", "num_cpu", "num_cpus",
        "cpu_count", "cpucount", "number_of_cpus", "number_of_processors", "processors",
        "logical_processors", "processor_count",
    ),
    "memory_gb": (
        "memory", "ram", "mem", "memory_size", "ram_size", "total_memory", "total_ram",
        "physical_memory", "installed_memory", "memory_capacity", "configured_memory",
    ),
    "storage_gb": (
        "storage", "provisioned", "provisioned_space", "provisioned_storage", "disk",
        "disk_size", "disk_space", "total_disk", "total_disk_space", "total_disk_size",
        "disk_capacity", "storage_size", "storage_capacity", "hdd", "hdd_size", "hddsize",
        "allocated_storage", "in_use", "used_space",
    ),
    "environment": (
        "environment", "env", "environment_name", "used_for", "service_level", "lifecycle",
        "lifecycle_stage", "stage", "landscape",
    ),
    "technology_stack": (
        "technology_stack", "tech_stack", "technology", "technologies", "software_stack",
        "stack", "middleware", "runtime", "platform", "framework",
    ),
    "business_criticality": (
        "business_criticality", "criticality", "criticality_level", "business_impact",
        "importance", "criticality_tier", "business_service_criticality",
    ),
    "business_owner": (
        "business_owner", "application_owner", "app_owner", "service_owner", "product_owner",
        "business_contact", "owner", "owned_by",
    ),
    "technical_owner": (
        "technical_owner", "tech_owner", "technical_contact", "it_owner", "system_owner",
        "support_group", "support_team", "assignment_group", "managed_by", "administrator",
        "sysadmin", "custodian",
    ),
    "network_zone": ("network_zone", "zone", "security_zone", "network_segment", "segment"),
    "virtualization_platform": (
        "virtualization_platform", "hypervisor", "virtualization", "virtualization_type",
    ),
    "application_version": ("application_version", "app_version", "software_version"),
    "database_engine": (
        "database_engine", "db_engine", "database_type", "db_type", "dbms", "database_platform",
    ),
    "integration_dependencies": (
        "integration_dependencies", "dependencies", "integrations", "depends_on",
        "interfaces", "upstream_dependencies",
    ),
    "data_volume_gb": ("data_volume", "data_size", "database_size", "db_size", "data_volume_gb"),
    "compliance_requirements": (
        "compliance_requirements", "compliance", "regulatory", "regulations",
        "regulatory_requirements",
    ),
    "end_of_support_date": (
        "end_of_support_date", "end_of_support", "eos", "eos_date", "end_of_life", "eol",
        "eol_date", "support_end_date",
    ),
    "architecture_pattern": ("architecture_pattern", "architecture", "app_architecture"),
    "technical_debt_score": (
        "technical_debt_score", "technical_debt", "tech_debt", "tech_debt_score",
    ),
    "known_vulnerabilities": (
        "known_vulnerabilities", "vulnerabilities", "open_vulnerabilities",
        "vulnerability_count", "security_findings", "open_findings", "cves",
    ),
}  # fmt: skip

UNIT_FACTORS_TO_GB = GIGABYTES.factors

_ALIAS_RANK: dict[str, tuple[str, int]] = {
    alias: (field, rank) for field, aliases in ALIASES.items() for rank, alias in enumerate(aliases)
}
_CATALOGUE_CUSTOM = frozenset(a.name for a in CATALOGUE if not a.is_typed_column)


def target_of(field: str) -> str:
    """Where a field lives on an asset: the column itself or a custom_attributes key."""
    if field in ("name", "asset_type") or field in TYPED_ASSET_FIELDS:
        return field
    return CUSTOM_PREFIX + field


@dataclass(frozen=True)
class ColumnTarget:
    """One source column: where its values go and, for sizes, the factor that makes GB."""

    index: int
    header: str
    target: str  # an Asset column or "custom_attributes.<key>"
    recognized: bool
    unit_factor: float = 1.0  # value * unit_factor = GB (size fields only)
    unit: str = ""  # the size unit the column is read in ("mb", "gib", ...)

    @property
    def custom_key(self) -> str | None:
        return self.target[len(CUSTOM_PREFIX) :] if self.target.startswith(CUSTOM_PREFIX) else None


def normalize_header(header: object) -> str:
    """'RAM (MB)' -> 'ram_mb'; 'OS Name ' -> 'os_name'."""
    text = str(header if header is not None else "").strip().lower()
    return "_".join(re.findall(r"[a-z0-9]+", text))


def _split_unit(normalized: str) -> tuple[str, str]:
    """('memory_mb') -> ('memory', 'mb'); the unit is the last unit word in the header."""
    words = normalized.split("_")
    unit = ""
    kept = []
    for word in words:
        if word in UNIT_FACTORS_TO_GB:
            unit = word
        elif word != "in" or not unit:
            kept.append(word)
    if unit and kept and kept[-1] == "in":
        kept.pop()
    return "_".join(kept), unit


def recognize(header: object) -> tuple[str, int, str] | None:
    """(field, alias rank, unit) for a known header, else None."""
    normalized = normalize_header(header)
    if not normalized:
        return None
    if normalized in _ALIAS_RANK:
        field, rank = _ALIAS_RANK[normalized]
        return field, rank, _split_unit(normalized)[1] if field in SIZE_FIELDS else ""
    if normalized in TYPED_ASSET_FIELDS or normalized in _CATALOGUE_CUSTOM:
        # A field's own name ("memory_gb") beats every alias: it is what our export writes.
        return normalized, -1, _split_unit(normalized)[1] if normalized in SIZE_FIELDS else ""
    base, unit = _split_unit(normalized)
    if unit and base in _ALIAS_RANK:
        field, rank = _ALIAS_RANK[base]
        if field in SIZE_FIELDS:
            return field, rank, unit
    return None


def _looks_like_rvtools(normalized_headers: set[str]) -> bool:
    # RVTools' vInfo sheet states memory in MB without saying so in the header.
    return "vm" in normalized_headers and bool(
        {"powerstate", "cpus", "provisioned_mib"} & normalized_headers
    )


def map_columns(headers: Sequence[object]) -> list[ColumnTarget]:
    """A target for every column; each asset field is taken by at most one column."""
    normalized = [normalize_header(header) for header in headers]
    rvtools = _looks_like_rvtools(set(normalized))
    recognized = [recognize(header) for header in headers]
    best: dict[str, int] = {}
    ranks: dict[str, int] = {}
    for index, found in enumerate(recognized):
        if found is None:
            continue
        field, rank, _unit = found
        if field not in best or rank < ranks[field]:
            best[field], ranks[field] = index, rank
    winners = {index: field for field, index in best.items()}
    targets: list[ColumnTarget] = []
    used_custom_keys = {field for field in winners.values() if field in _CATALOGUE_CUSTOM}
    for index, header in enumerate(headers):
        shown = str(header if header is not None else "").strip()
        if index in winners:
            field = winners[index]
            unit = recognized[index][2]  # type: ignore[index]  # a winner was recognized
            if field in SIZE_FIELDS and not unit:
                unit = "mb" if (rvtools and field == "memory_gb") else "gb"
            factor = UNIT_FACTORS_TO_GB[unit] if field in SIZE_FIELDS else 1.0
            targets.append(ColumnTarget(index, shown, target_of(field), True, factor, unit))
            continue
        key = _custom_key(shown, normalized[index], index, used_custom_keys)
        used_custom_keys.add(key)
        targets.append(ColumnTarget(index, shown, CUSTOM_PREFIX + key, False))
    return targets


def _custom_key(shown: str, normalized: str, index: int, used: set[str]) -> str:
    if shown.startswith(CUSTOM_PREFIX) and len(shown) > len(CUSTOM_PREFIX):
        key = shown[len(CUSTOM_PREFIX) :]  # written by our own export: kept verbatim
    else:
        key = normalized or f"column_{index + 1}"
    candidate, suffix = key, 2
    while candidate in used:
        candidate, suffix = f"{key}_{suffix}", suffix + 1
    return candidate


def export_header(key: str) -> str:
    """The header under which an export writes a custom attribute, mapping back to `key`."""
    found = recognize(key)
    if found is not None and target_of(found[0]) == CUSTOM_PREFIX + key and not found[2]:
        return key
    if found is None and normalize_header(key) == key:
        return key
    return CUSTOM_PREFIX + key


# Asset types as inventories spell them (ServiceNow classes, Device42 types, plain words).
_TYPE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("virtual_machine", ("virtual", "vm", "vmware", "guest", "instance_vm", "hyperv_vm")),
    ("database", ("database", "db", "dbms", "sql", "oracle", "postgres", "postgresql",
                  "mysql", "mssql", "mongodb", "db2")),
    ("application", ("application", "app", "appl", "software", "service", "webapp",
                     "business_application")),
    ("network", ("network", "netgear", "switch", "router", "firewall", "load", "balancer",
                 "lb", "gateway", "vpn", "wlan")),
    ("storage", ("storage", "san", "nas", "array", "filer", "netapp")),
    ("server", ("server", "physical", "host", "bare", "metal", "baremetal", "esx", "esxi",
                "linux", "windows", "unix", "aix", "solaris", "computer", "blade")),
)  # fmt: skip
_ASSET_TYPES = ("server", "virtual_machine", "database", "application", "network", "storage")


@lru_cache(maxsize=4096)  # inventories repeat a handful of type spellings
def normalize_asset_type(value: object) -> str:
    """'Virtual Machine', 'cmdb_ci_win_server', 'DB' -> the asset type; unknown -> 'other'."""
    normalized = normalize_header(value)
    if normalized in _ASSET_TYPES or normalized == "other":
        return normalized
    compact = normalized.replace("_", "")
    if compact in ("virtualmachine", "vmwarevirtualmachineinstance"):
        return "virtual_machine"
    words = [word for word in normalized.split("_") if word not in ("cmdb", "ci")]
    for asset_type, markers in _TYPE_WORDS:
        if any(word in markers for word in words):
            return asset_type
    return "other"
