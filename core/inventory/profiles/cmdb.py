"""CMDB and asset-inventory exports: ServiceNow cmdb_ci_* tables, Device42, Lansweeper, Flexera.

Headers are the tools' field names as a list export writes them (ServiceNow `sys_class_name`,
`ram` in MB, `disk_space` in GB; Device42 `osver`, `cpucore`, `hddsize`; Lansweeper `AssetName`,
`Memory` in MB; FlexNet Manager's `ComputerName`, `NumberOfCores`, `TotalMemory` and
`TotalDiskSpace` in bytes, `IPAddress` a comma-separated list). The class column is read as a type only when it names a class
(core.inventory.asset_types) and is always kept as `source_class`.
"""

from typing import Any

from core.inventory.profiles.profile import Headers, Profile


def _is_servicenow(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    return "sys_class_name" in headers or ("sys_id" in headers and "name" in headers)


SERVICENOW = Profile(
    name="servicenow",
    label="ServiceNow CMDB (cmdb_ci_*)",
    detect=_is_servicenow,
    columns={
        "sys_class_name": "asset_type",
        "name": "name",
        "fqdn": "fqdn",
        "ip_address": "ip_address",
        "os": "operating_system",
        "os_version": "os_version",
        "cpu_core_count": "cpu_cores",
        "ram": "memory_gb",
        "disk_space": "storage_gb",
        "u_environment": "environment",
        "environment": "environment",
        "asset_tag": "asset_tag",
        "serial_number": "serial_number",
    },
    units={"ram": "mb", "disk_space": "gb"},
)


def _is_device42(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    return "virtual_subtype" in headers or {"osver", "cpucore", "hddsize"} <= headers


DEVICE42 = Profile(
    name="device42",
    label="Device42",
    detect=_is_device42,
    columns={
        "name": "name",
        "type": "asset_type",
        "virtual_subtype": "virtualization_platform",
        "os": "operating_system",
        "osver": "os_version",
        "cpucore": "cpu_cores",
        "ram": "memory_gb",
        "hddsize": "storage_gb",
        "service_level": "environment",
        "serial_no": "serial_number",
        "uuid": "vm_uuid",
        "asset_no": "asset_tag",
    },
    units={"ram": "mb", "hddsize": "gb"},
)


def _is_lansweeper(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    return "assetname" in headers and bool({"assettype", "lastseen", "assetid"} & headers)


LANSWEEPER = Profile(
    name="lansweeper",
    label="Lansweeper",
    detect=_is_lansweeper,
    columns={
        "assetname": "name",
        "assettype": "asset_type",
        "ipaddress": "ip_address",
        "fqdn": "fqdn",
        "os": "operating_system",
        "osname": "operating_system",
        "osversion": "os_version",
        "memory": "memory_gb",
        "nrofprocessors": "cpu_cores",
        "serialnumber": "serial_number",
        "assetid": "asset_tag",
    },
    units={"memory": "mb"},
)


# FlexNet Manager Suite / Flexera One IT Asset Management: its inventory device table
# (ComplianceComputer, as SQL and adapter exports write it) and the ConsolidatedComputer /
# Computer spreadsheets of its inventory import share these names; its web lists write
# "Last inventory date", "Inventory device type", ...
_FLEXERA_MARKS = {
    "compliancecomputerid", "compliancecomputertypeid", "compliancecomputerroleid",
    "inventorydate", "hardwareinventorydate", "servicesinventorydate", "inventoryagent",
    "hostcomputerid", "domainqualifiedname", "domainflatname",
}  # fmt: skip
_FLEXERA_LISTS = {"last_inventory_date", "last_inventory_source", "inventory_device_type",
                  "inventory_agent", "inventory_date", "flexera_id"}  # fmt: skip
# ComplianceComputerTypeID: 1 computer, 2 VM host, 3 virtual machine, 4 remote device, ...
_VM_TYPE_IDS = frozenset({"3"})


# What a hypervisor's guests report as their hardware (manufacturer and model), lower case.
_VIRTUAL_HARDWARE = (
    ("vmware", "vmware"),  # "VMware, Inc." / "VMware Virtual Platform"
    ("microsoft corporation virtual machine", "hyper-v"),
    ("qemu", "kvm"),
    ("kvm", "kvm"),
)


def _virtual_hardware(custom: dict[str, Any]) -> str | None:
    seen = f"{custom.get('manufacturer') or ''} {custom.get('model') or ''}".lower()
    return next((platform for mark, platform in _VIRTUAL_HARDWARE if mark in seen), None)


def _is_flexera(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    if "computername" in headers and _FLEXERA_MARKS & headers:
        return True
    return bool(_FLEXERA_LISTS & headers)


FLEXERA = Profile(
    name="flexera",
    label="Flexera (FlexNet Manager inventory)",
    detect=_is_flexera,
    columns={
        "computername": "name",
        "computer_name": "name",
        "operatingsystem": "operating_system",
        "operating_system": "operating_system",
        "servicepack": "os_service_pack",
        "service_pack": "os_service_pack",
        "numberofcores": "cpu_cores",
        "number_of_cores": "cpu_cores",
        "numberofprocessors": "cpu_sockets",  # physical processors
        "numberofsockets": "cpu_sockets",
        "numberoflogicalprocessors": "cpu_logical_processors",
        "processortype": "cpu_model",
        "maxclockspeed": "cpu_clock_mhz",
        "totalmemory": "memory_gb",
        "total_memory": "memory_gb",
        "totaldiskspace": "storage_gb",
        "ipaddress": "ip_address",  # every address, comma separated
        "macaddress": "mac_address",
        "serialno": "serial_number",
        "manufacturer": "manufacturer",
        "modelno": "model",
        "domain": "domain",
        "domainqualifiedname": "domain",
        "biosuuid": "vm_uuid",
        "uuid": "vm_uuid",
        "compliancecomputerid": "flexera_id",
        "computerid": "flexera_id",
        "compliancecomputertypeid": "inventory_device_type_id",
        "inventory_device_type": "asset_type",  # "Virtual Machine", "Computer", "VM Host"
        "hostcomputerid": "host_computer_id",
        "inventorydate": "last_inventory_date",
        "inventory_date": "last_inventory_date",
        "hardwareinventorydate": "hardware_inventory_date",
        "inventoryagent": "inventory_agent",
    },
    # Bytes, as the inventory database keeps them (16 GB is 17179869184).
    units={"totalmemory": "bytes", "totaldiskspace": "bytes", "total_memory": "mb"},
    # A ConsolidatedComputer row naming its host computer is a virtual machine.
    type_when=(
        ("host_computer_id", None, "virtual_machine"),
        ("inventory_device_type_id", _VM_TYPE_IDS, "virtual_machine"),
    ),
    platform_of=_virtual_hardware,
)
