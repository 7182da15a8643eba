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
from core.inventory.rows import AssetRow
from core.inventory.rvtools_identity import Key, VmIdentity
from core.inventory.rvtools_tab import Tab, TabSpec, TabValue, VmEntry

# Each value's headers as RVTools names them, then as its command-line exports do.
TAB_SPECS = (
    TabSpec("vcpu", (
        TabValue("cpu_cores", {"cpus": "", "vcpucpus": ""}, "CPU count", typed=True,
                 whole=True, stands_in=True),
        TabValue("cpu_sockets", {"sockets": "", "vcpusockets": ""}, "sockets", whole=True),
        TabValue("cores_per_socket", {"cores_p_s": "", "vcpucorespersocket": ""},
                 "cores per socket", whole=True),
        TabValue("cpu_reservation_mhz", {"reservation": ""}, "CPU reservation"),
    ), summed=False),
    TabSpec("vmemory", (
        TabValue("memory_gb", {"size_mib": "mib", "size_mb": "mb", "vmemorysizemib": "mib"},
                 "memory size", typed=True, stands_in=True),
        TabValue("memory_reservation_gb", {"reservation": "mib", "vmemoryreservation": "mib"},
                 "memory reservation"),
    ), summed=False),
    TabSpec("vdisk", (
        TabValue("storage_gb",
                 {"capacity_mib": "mib", "capacity_mb": "mb", "vdiskcapacitymib": "mib"},
                 "provisioned storage", typed=True, stands_in=True),
    ), summed=True, part="disk"),
    TabSpec("vpartition", (
        TabValue("storage_used_gb",
                 {"consumed_mib": "mib", "consumed_mb": "mb", "vpartitionconsumedmib": "mib"},
                 "storage in use", stands_in=True),
    ), summed=True, part="partition"),
)  # fmt: skip


class RvtoolsTabs:
    """Fills what a vInfo row lacks from vCPU, vMemory, vDisk and vPartition, and says so."""

    def __init__(self, tabs: list[Tab], damaged: list[Tab]):
        self.tabs = tabs
        self.damaged = damaged
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
        return cls(tabs, damaged) if tabs or damaged else None

    @property
    def typed_fields(self) -> list[str]:
        """Typed asset columns a filled row may hold although vInfo has no column for them."""
        return [
            value.field
            for tab in self.tabs
            for index, value in enumerate(tab.spec.values)
            if value.typed and tab.gives(index)
        ]

    def notes(self) -> list[str]:
        """What the preview says the import will read from the tabs."""
        notes = []
        for tab in self.tabs:
            says = [value.says for i, value in enumerate(tab.spec.values) if tab.gives(i)]
            listed = ", ".join(says[:-1]) + " and " + says[-1] if len(says) > 1 else says[0]
            summed = " (summed per VM)" if tab.spec.summed else ""
            it = "them" if len(says) > 1 else "it"
            notes.append(
                f"sheet {tab.name!r} gives {listed}{summed} where a vInfo row lacks {it}"
                " (read at import)"
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
                if tab.gives(index) and _lacks(row, value)
            ]
            if not lacking:
                continue
            key = tab.vinfo.key(cells)
            entry = tab.entries().get(key) if key is not None else None
            if entry is not None:
                notes.extend(_filled(row, tab, entry, lacking))
        return "; ".join(notes)

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
        stored = int(number) if value.whole else round(number, 4)
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
