"""vCenter exports: RVTools (vInfo sheet or its CSV) and PowerCLI's `Get-VM | Export-Csv`.

RVTools headers are as RVTools 4.x writes them ("VM", "Powerstate", "Template", "SRM
Placeholder", "CPUs", "Memory" in MiB, "Provisioned MiB", "In Use MiB", "OS according to the
configuration file", "OS according to the VMware Tools", "VI SDK Server", ...); its
command-line exports name them by the tab's internal names ("vInfoVMName", "vInfoCPUs",
"vInfoProvisioned", ...). A vCPU or vMemory tab saved as a CSV reads too ("Sockets", "Cores
p/s", "Size MiB"). Storage is the provisioned size (what the target must hold); what is in use
is kept as `storage_used_gb`.
"""

from dataclasses import replace
from typing import Any

from core.inventory.profiles.profile import Headers, Profile

_RVTOOLS_SHEETS = ("vinfo", "vcpu", "vmemory", "vdisk", "vpartition", "vtools", "vhost", "vnetwork")
_RVTOOLS_MARKS = {
    "os_according_to_the_configuration_file", "os_according_to_the_vmware_tools",
    "provisioned_mib", "in_use_mib", "provisioned_mb", "vi_sdk_server", "srm_placeholder",
}  # fmt: skip


# vInfo's internal column names -> what its display names map to.
_INTERNAL = {
    "vinfovmname": "vm", "vinfopowerstate": "powerstate", "vinfotemplate": "template",
    "vinfosrmplaceholder": "srm_placeholder", "vinfocpus": "cpus", "vinfomemory": "memory",
    "vinfoprovisioned": "provisioned_mib", "vinfoinuse": "in_use_mib",
    "vinfoostools": "os_according_to_the_vmware_tools",
    "vinfoos": "os_according_to_the_configuration_file", "vinfodatacenter": "datacenter",
    "vinfocluster": "cluster", "vinfohost": "host", "vinfofolder": "folder",
    "vinfovisdkserver": "vi_sdk_server", "vinfouuid": "vm_uuid", "vinfoguesthostname": "dns_name",
    "vinfoprimaryipaddress": "primary_ip_address", "vinfonotes": "annotation",
}  # fmt: skip


def _no_epoch_dates(_values: dict[str, Any], custom: dict[str, Any]) -> None:
    """RVTools writes 1969-12-31 (the epoch, in a zone west of UTC) for a date it does not have
    (a VM never powered on, never backed up): no date."""
    for key, value in custom.items():
        if isinstance(value, str) and value.startswith("1969-12-31"):
            custom[key] = None


def _is_rvtools(headers: Headers, sheets: tuple[str, ...]) -> bool:
    if "vinfo" in sheets and sum(sheet in _RVTOOLS_SHEETS for sheet in sheets) >= 2:
        return True
    if "vinfovmname" in headers:
        return True
    return {"vm", "powerstate"} <= headers and bool(_RVTOOLS_MARKS & headers)


RVTOOLS = Profile(
    name="rvtools",
    label="RVTools (vInfo)",
    detect=_is_rvtools,
    columns={
        "vm": "name",
        "powerstate": "power_state",
        "template": "template",
        "srm_placeholder": "srm_placeholder",
        "cpus": "cpu_cores",
        "memory": "memory_gb",
        "provisioned_mib": "storage_gb",
        "provisioned_mb": "storage_gb",
        "in_use_mib": "storage_used_gb",
        "in_use_mb": "storage_used_gb",
        "os_according_to_the_vmware_tools": "operating_system",
        "os_according_to_the_configuration_file": "os_configuration_file",
        "guest_detailed_data": "guest_detailed_data",
        "datacenter": "datacenter",
        "cluster": "cluster",
        "host": "host",
        "folder": "folder",
        "vi_sdk_server": "vcenter",
        "vm_uuid": "vm_uuid",
        "dns_name": "fqdn",
        "primary_ip_address": "ip_address",
        "annotation": "annotation",
        "nics": "network_adapters",
        "disks": "disk_count",
        "firmware": "boot_type",
        "vm_id": "vmware_moref_id",  # "vm-1001", what AWS calls the MoRefId
        "vi_sdk_uuid": "vcenter_uuid",
        "smbios_uuid": "smbios_uuid",  # the guest's BIOS UUID (not the VM's instance UUID)
        # a vCPU or vMemory tab on its own
        "sockets": "cpu_sockets",
        "cores_p_s": "cores_per_socket",
        "size_mib": "memory_gb",
    },
    units={
        "memory": "mib",
        "provisioned_mib": "mib",
        "in_use_mib": "mib",
        "provisioned_mb": "mb",
        "in_use_mb": "mb",
        "size_mib": "mib",
    },  # fmt: skip
    default_type="virtual_machine",
    platform="vmware",
    os_fallbacks=("os_configuration_file",),
    skip_when_true=(("template", "template"), ("srm_placeholder", "placeholder")),
    sheets=("vinfo",),
    row_hook=_no_epoch_dates,
)
RVTOOLS = replace(
    RVTOOLS,
    columns={
        **RVTOOLS.columns,
        **{internal: RVTOOLS.columns[shown] for internal, shown in _INTERNAL.items()},
    },
    units={
        **RVTOOLS.units,
        **{i: RVTOOLS.units[shown] for i, shown in _INTERNAL.items() if shown in RVTOOLS.units},
    },
)


def _is_powercli(headers: Headers, _sheets: tuple[str, ...]) -> bool:
    return {"name", "powerstate", "numcpu"} <= headers and bool({"memorygb", "memorymb"} & headers)


POWERCLI = Profile(
    name="powercli",
    label="vSphere PowerCLI (Get-VM)",
    detect=_is_powercli,
    columns={
        "name": "name",
        "powerstate": "power_state",
        "numcpu": "cpu_cores",
        "memorygb": "memory_gb",
        "provisionedspacegb": "storage_gb",
        "usedspacegb": "storage_used_gb",
        "guest": "operating_system",
        "vmhost": "host",
        "folder": "folder",
        "persistentid": "vm_uuid",
        "notes": "notes",
    },
    units={"memorygb": "gb", "provisionedspacegb": "gb", "usedspacegb": "gb"},
    default_type="virtual_machine",
    platform="vmware",
    skip_when_true=(("template", "template"),),
)
