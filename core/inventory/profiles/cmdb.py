"""CMDB and asset-inventory exports: ServiceNow cmdb_ci_* tables, Device42, Lansweeper, Flexera.

Headers are the tools' field names as a list export writes them (ServiceNow `sys_class_name`,
`ram` in MB, `disk_space` in GB; Device42 `osver`, `cpucore`, `hddsize`; Lansweeper `AssetName`,
`Memory` in MB). The class column is read as a type only when it names a class
(core.inventory.asset_types) and is always kept as `source_class`.
"""

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


def _is_flexera(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    marks = {"inventory_date", "last_inventory_date", "inventory_agent", "flexera_id",
             "inventorydate", "inventoryagent"}  # fmt: skip
    return bool(marks & headers)


FLEXERA = Profile(
    name="flexera",
    label="Flexera",
    detect=_is_flexera,
    columns={
        "computer_name": "name",
        "computername": "name",
        "operating_system": "operating_system",
        "operatingsystem": "operating_system",
        "number_of_cores": "cpu_cores",
        "numberofcores": "cpu_cores",
        "total_memory": "memory_gb",
        "totalmemory": "memory_gb",
    },
    units={"total_memory": "mb", "totalmemory": "mb"},
)
