"""RVTools' per-VM tabs: what a VM's vInfo row lacks, from the workbook's other tabs.

RVTools 4.x writes, besides vInfo, one row per VM on vCPU ("VM", "Powerstate", "Template",
"SRM Placeholder", "CPUs", "Sockets", "Cores p/s", "Max", "Overall", "Level", "Shares",
"Reservation" in MHz, ..., "VM ID", "VM UUID", "VI SDK Server", ...) and on vMemory ("VM", ...,
"Size MiB", "Memory Reservation Locked To Max", "Overhead", ..., "Reservation" in MiB, ...); one
row per virtual disk on vDisk (..., "Capacity MiB", ...) and per guest partition on vPartition
(..., "Capacity MiB", "Consumed MiB", ...); 3.x wrote "MB" for "MiB". vCPU gives the sockets,
cores per socket and CPU reservation vInfo never has (and the CPU count when vInfo lacks it);
vMemory the memory reservation (and the memory size); vDisk summed per VM the provisioned
storage, vPartition the storage in use. A value vInfo gives is never replaced.

Tabs are joined to vInfo by the VM's identity (core.inventory.rvtools_identity), not its name
alone. A tab is read once, only when a vInfo row first lacks one of its values. A row filled
with a value vInfo normally holds is noted in the report; the others say where they came
from in their source only.
"""

from typing import Any

from core.inventory.column_mapping import normalize_header
from core.inventory.files import TableFile
from core.inventory.profiles import Profile
from core.inventory.profiles.profile import split_os_in
from core.inventory.rows import AssetRow
from core.inventory.rvtools_identity import Key, VmIdentity
from core.inventory.rvtools_tab import Tab, TabSpec, TabValue, VmEntry

# What every per-VM tab states of its VM besides its own values ("VM", ..., "Datacenter",
# "Cluster", "Host", "Folder", "OS according to the configuration file", "OS according to
# the VMware Tools", ...): taken where vInfo has no such column, or (the OS) a blank one.
TEXT_VALUES = (
    TabValue("operating_system", {"os_according_to_the_vmware_tools": ""}, "OS", typed=True,
             stands_in=True, text=True),
    TabValue("os_configuration_file", {"os_according_to_the_configuration_file": ""},
             "OS of the configuration file", text=True),
    TabValue("datacenter", {"datacenter": ""}, "datacenter", text=True),
    TabValue("cluster", {"cluster": ""}, "cluster", text=True),
    TabValue("host", {"host": ""}, "host", text=True),
    TabValue("folder", {"folder": ""}, "folder", text=True),
)  # fmt: skip
OS_FIELDS = ("operating_system", "os_configuration_file")

# Each value's headers as RVTools names them, then as its command-line exports do.
TAB_SPECS = (
    TabSpec("vcpu", (
        TabValue("cpu_cores", {"cpus": "", "vcpucpus": ""}, "CPU count", typed=True,
                 whole=True, stands_in=True),
        TabValue("cpu_sockets", {"sockets": "", "vcpusockets": ""}, "sockets", whole=True),
        TabValue("cores_per_socket", {"cores_p_s": "", "vcpucorespersocket": ""},
                 "cores per socket", whole=True),
        TabValue("cpu_reservation_mhz", {"reservation": ""}, "CPU reservation"), *TEXT_VALUES,
    ), summed=False),
    TabSpec("vmemory", (
        TabValue("memory_gb", {"size_mib": "mib", "size_mb": "mb", "vmemorysizemib": "mib"},
                 "memory size", typed=True, stands_in=True),
        TabValue("memory_reservation_gb", {"reservation": "mib", "vmemoryreservation": "mib"},
                 "memory reservation"), *TEXT_VALUES,
    ), summed=False),
    TabSpec("vtools", TEXT_VALUES, summed=False),
    TabSpec("vdisk", (
        TabValue("storage_gb",
                 {"capacity_mib": "mib", "capacity_mb": "mb", "vdiskcapacitymib": "mib"},
                 "provisioned storage", typed=True, stands_in=True),
        TabValue("disk_sizes_gb",
                 {"capacity_mib": "mib", "capacity_mb": "mb", "vdiskcapacitymib": "mib"},
                 "each disk's size", listed=True),
        *TEXT_VALUES,
    ), summed=True, part="disk"),
    TabSpec("vpartition", (
        TabValue("storage_used_gb",
                 {"consumed_mib": "mib", "consumed_mb": "mb", "vpartitionconsumedmib": "mib"},
                 "storage in use", stands_in=True), *TEXT_VALUES,
    ), summed=True, part="partition"),
)  # fmt: skip


class RvtoolsTabs:
    """Fills what a vInfo row lacks from vCPU, vMemory, vDisk and vPartition, and says so."""

    def __init__(
        self, tabs: list[Tab], damaged: list[Tab], profile: Profile, present: frozenset[str]
    ):
        self.tabs = tabs
        self.damaged = damaged
        self.profile = profile
        self.present = present  # the fields and custom keys vInfo has a column for
        # vInfo's VMs (skipped rows too: templates are in vInfo), per identity the tabs use.
        self.vinfo_keys: dict[VmIdentity, set[Key]] = {tab.vinfo: set() for tab in tabs}

    @classmethod
    def of(cls, table: TableFile) -> "RvtoolsTabs | None":
        """For an RVTools workbook with any of those tabs as RVTools writes them; else None."""
        workbook = table.workbook
        if workbook is None or table.profile.name != "rvtools":
            return None
        lowered = {name.strip().lower(): name for name in workbook.sheets}
        if not any(spec.key in lowered for spec in TAB_SPECS):
            return None
        name = next((c.index for c in table.columns if c.target == "name"), None)
        vinfo = VmIdentity.of([normalize_header(h) for h in table.headers], "vinfo", name)
        if vinfo is None:
            return None
        opened = [
            Tab(workbook, lowered[spec.key], spec, vinfo)
            for spec in TAB_SPECS
            if spec.key in lowered
        ]
        tabs = [tab for tab in opened if tab.readable]
        damaged = [tab for tab in opened if tab.damaged]
        present = frozenset(c.custom_key or c.target for c in table.columns if c.target)
        return cls(tabs, damaged, table.profile, present) if tabs or damaged else None

    @property
    def typed_fields(self) -> list[str]:
        """Typed asset columns a filled row may hold although vInfo has no column for them."""
        fields = [
            value.field
            for tab in self.tabs
            for index, value in enumerate(tab.spec.values)
            if value.typed and tab.gives(index)
        ]
        if "operating_system" in fields:
            fields.append("os_version")  # the OS a tab gives is split as vInfo's is
        return list(dict.fromkeys(fields))

    def notes(self) -> list[str]:
        """What the preview says the import will read from the tabs."""
        notes = []
        for tab in self.tabs:
            says = [
                v.says
                for i, v in enumerate(tab.spec.values)
                if tab.gives(i) and not v.text and not v.listed
            ]
            if not says:
                continue
            listed = ", ".join(says[:-1]) + " and " + says[-1] if len(says) > 1 else says[0]
            summed = " (summed per VM)" if tab.spec.summed else ""
            it = "them" if len(says) > 1 else "it"
            notes.append(
                f"sheet {tab.name!r} gives {listed}{summed} where a vInfo row lacks {it}"
                " (read at import)"
            )
        stating = [tab.name for tab in self.tabs if any(
            tab.gives(i) for i, value in enumerate(tab.spec.values) if value.text
        )]  # fmt: skip
        if stating:
            notes.append(
                f"sheets {', '.join(stating)} give the OS, datacenter, cluster, host and folder"
                " where vInfo lacks them (read at import)"
            )
        notes.extend(f"{tab.damaged}: what it holds is not used" for tab in self.damaged)
        return notes

    def saw(self, cells: list[Any]) -> None:
        """Remembers a vInfo row's VM, whether or not the row is imported."""
        for identity, keys in self.vinfo_keys.items():
            key = identity.key(cells)
            if key is not None:
                keys.add(key)

    def fill(self, row: AssetRow, cells: list[Any]) -> str:
        """Fills what the row lacks in place; the report's note of what was filled, or ""."""
        notes = []
        for tab in self.tabs:
            lacking = [
                (index, value)
                for index, value in enumerate(tab.spec.values)
                if tab.gives(index) and self._lacks(row, value)
            ]
            if not lacking:
                continue
            key = tab.vinfo.key(cells)
            entry = tab.entries().get(key) if key is not None else None
            if entry is not None:
                notes.extend(_filled(row, tab, entry, lacking))
        if any(field in row.origins for field in OS_FIELDS):
            notes.extend(self._os_of(row))
        return "; ".join(notes)

    def _lacks(self, row: AssetRow, value: TabValue) -> bool:
        if value.field == "os_configuration_file":  # stands in for the OS only
            return row.values.get("operating_system") is None and not row.custom.get(value.field)
        if value.text and not value.typed and value.field in self.present:
            return False  # vInfo states it (a blank cluster: a host of no cluster)
        if value.listed:  # each disk's size: wanted for a VM of several disks only
            return row.custom.get(value.field) is None and _disks(row) != 1
        return _lacks(row, value)

    def _os_of(self, row: AssetRow) -> list[str]:
        """The OS a tab gave, as vInfo's is read: the configuration file's when the Tools'
        is blank, split into family and version."""
        notes = []
        if row.values.get("operating_system") is None and row.custom.get("os_configuration_file"):
            row.values["operating_system"] = row.custom["os_configuration_file"]
            sheet = row.origins["os_configuration_file"]
            row.origins["operating_system"] = sheet
            notes.append(f"OS from sheet {sheet[0]} (configuration file)")
        if "operating_system" in row.origins and self.profile.split_os:
            row.values["os_version"] = None
            split_os_in(row.values, row.custom)
            row.origins["os_version"] = row.origins["operating_system"]
        return notes

    def unmatched(self) -> list[dict[str, Any]]:
        """One report line per VM of a tab read that vInfo does not list: its rows are ignored."""
        reported: set[Key] = set()
        entries = []
        for tab in self.tabs:
            if not tab.was_read:
                continue  # never read: every vInfo row had its values
            listed = self.vinfo_keys[tab.vinfo]
            for key, entry in tab.entries().items():
                if key in listed or key in reported:
                    continue
                reported.add(key)
                entries.append(
                    {
                        "row": entry.first_row,
                        "column": "VM",
                        "value": entry.name,  # the row names it: its vCenter too
                        "reason": f"sheet {tab.name}: no such VM in vInfo, its rows are ignored",
                    }
                )
        return entries


def _disks(row: AssetRow) -> int | None:
    """The VM's disks as vInfo counts them ("Disks"), None when it does not say."""
    try:
        return int(str(row.custom.get("disk_count")))
    except ValueError:
        return None


def _lacks(row: AssetRow, value: TabValue) -> bool:
    if value.typed:
        return row.values.setdefault(value.field, None) is None
    return row.custom.get(value.field) is None


def _filled(
    row: AssetRow, tab: Tab, entry: VmEntry, lacking: list[tuple[int, TabValue]]
) -> list[str]:
    """Puts the entry's values in the row; the notes on what stood in for vInfo's, or failed."""
    said, notes = [], []
    for index, value in lacking:
        problem = entry.problems[index] if entry.problems is not None else ""
        if problem:
            notes.append(f"{value.says} not taken from sheet {tab.name} ({problem})")
            continue
        number = entry.values[index]
        if number is None:
            continue
        if value.listed:
            stored: Any = ", ".join(f"{size:g}" for size in (round(n, 2) for n in number))
        else:
            stored = number if value.text else int(number) if value.whole else round(number, 4)
        (row.values if value.typed else row.custom)[value.field] = stored
        row.origins[value.field] = (tab.name, entry.first_row)
        if value.stands_in:
            said.append(value.says)
    if said:
        counted = ""
        if tab.spec.summed:
            plural = "" if entry.rows == 1 else "s"
            counted = f" ({entry.rows} {tab.spec.part}{plural})"
        notes.insert(0, f"{' and '.join(said)} from sheet {tab.name}{counted}")
    return notes
