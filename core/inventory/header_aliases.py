"""How inventories name each asset field: the alias table the column mapping looks headers up in.

Headers are compared normalized (lower case, accents folded, words joined by "_"). `ALIASES`
holds the catalogue's fields and the asset's own columns; `EXTRA_ALIASES` the facts that are
no catalogue attribute yet identify or place an asset (FQDN, IP, datacenter, cluster, host,
application, tier, asset tag, VM UUID, power state), kept in custom_attributes under the key
given here so every export says "fqdn" whatever the file called it. An alias may be listed under
two fields ("app_name"): it takes the first, or the next when a better column took the first.
"""

# Per field, its aliases best first: when two columns name one field, the better alias wins
# and the other column is kept as a custom attribute.
ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "asset_name", "hostname", "host_name", "server_name", "ci_name",
        "configuration_item", "computer_name", "device_name", "machine_name", "system_name",
        "vm", "vm_name", "virtual_machine_name", "application_name", "app_name",
        "database_name", "display_name", "dns_name", "fqdn", "server", "computer", "device", "ci",
        "vinfovmname",  # RVTools' command-line export
    ),
    "asset_type": (
        "asset_type", "type", "class", "ci_class", "sys_class_name", "asset_class", "ci_type",
        "device_type", "server_type", "category", "asset_category", "kind", "resource_type",
    ),
    "operating_system": (
        "operating_system", "os", "os_name", "operating_system_name", "os_family",
        "os_according_to_the_vmware_tools", "os_according_to_the_configuration_file",
        "guest_os", "guest_operating_system", "platform_os", "osname", "os_full_name",
        "guest_full_name", "betriebssystem", "systeme_d_exploitation",
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
        "allocated_storage", "provisioned_mb", "provisioned_space_gb",
    ),
    "environment": (
        "environment", "env", "environment_name", "used_for", "service_level", "lifecycle",
        "lifecycle_stage", "stage", "landscape", "environnement", "umgebung", "entorno",
    ),
    "technology_stack": (
        "technology_stack", "tech_stack", "technology", "technologies", "software_stack",
        "stack", "middleware", "runtime", "platform", "framework",
    ),
    "business_criticality": (
        "business_criticality", "criticality", "criticality_level", "business_impact",
        "importance", "criticality_tier", "business_service_criticality", "criticite",
        "kritikalitat", "kritikalitaet",
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
        "virtual_subtype", "hypervisor_type",
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
        "eol_date", "support_end_date", "end_of_support_date", "eos_date", "end_of_life_date",
        "eol_datum", "support_ends",
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

EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "fqdn": (
        "fqdn", "dns_name", "fully_qualified_domain_name", "dns_hostname", "dns", "full_dns_name",
    ),
    "ip_address": (
        "ip_address", "primary_ip_address", "ip", "ip_addresses", "ipv4_address", "ipv4",
        "primary_ip", "management_ip", "ipaddress",
    ),
    "datacenter": ("datacenter", "data_center", "datacentre", "data_centre", "dc", "site"),
    "cluster": ("cluster", "cluster_name", "host_cluster", "compute_cluster"),
    "host": ("host", "esx_host", "esxi_host", "vmhost", "vm_host", "hypervisor_host"),
    "vcenter": ("vi_sdk_server", "vcenter", "vcenter_server", "vcenter_name"),
    "application": (
        "application", "app_name", "application_name", "applications", "business_service",
        "app", "service_name",
    ),
    "tier": ("tier", "app_tier", "application_tier", "server_tier"),
    "asset_tag": ("asset_tag", "asset_number", "inventory_number", "asset_id", "external_id"),
    "vm_uuid": ("vm_uuid", "uuid", "instance_uuid", "bios_uuid", "smbios_id", "smbios_uuid"),
    "power_state": ("power_state", "powerstate", "power_status", "vm_power_state"),
    "serial_number": ("serial_number", "serial", "serial_no"),
    "storage_used_gb": (
        "storage_used_gb", "in_use", "used_space", "used_storage", "storage_used", "disk_used",
        "used_disk_space",
    ),
}  # fmt: skip

# Words tools put before a field's own name ("server_os_family", "vm_uuid", "asset_eol_date").
PREFIXES = ("server_", "vm_", "asset_", "u_", "ci_", "device_", "machine_")
