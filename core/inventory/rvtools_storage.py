"""RVTools' per-disk sheets: a VM's storage when its vInfo row has none.

RVTools 4.x writes one row per virtual disk on vDisk ("VM", "Powerstate", "Template", ...,
"Disk", ..., "Capacity MiB", ...) and one row per guest partition on vPartition ("VM", ...,
"Disk", "Capacity MiB", "Consumed MiB", "Free MiB", "Free %", ...); 3.x wrote "MB" for "MiB".
Summed per VM, disk capacity is the provisioned storage (`storage_gb`) and partition
consumption the storage in use (`storage_used_gb`). A value vInfo gives is never replaced.

A sheet is read once, streamed under the workbook's limits, and only when a vInfo row first
lacks its value; only the per-VM sums are kept, for at most as many VMs as the row limit.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.catalogue.numbers import GIGABYTES, parse_number
from core.catalogue.text_values import ValueProblem
from core.inventory.column_mapping import UNIT_FACTORS_TO_GB, ColumnTarget, normalize_header
from core.inventory.rows import STRING_LIMITS, AssetRow
from core.inventory.xlsx_rows import Workbook
from core.kernel.errors import BadRequest

HEADER_SEARCH_ROWS = 10
MAX_NAME_CHARS = STRING_LIMITS.get("name", 255)  # a longer name matches no asset


@dataclass(frozen=True)
class StorageSheet:
    key: str  # the sheet's name in lower case
    values: dict[str, str]  # normalized header of the summed column -> its unit
    field: str  # asset field (typed) or custom key it fills
    typed: bool
    parts: str  # what one row is, as the report counts them
    says: str  # what the value is, as the report says it


STORAGE_SHEETS = (
    StorageSheet(
        "vdisk", {"capacity_mib": "mib", "capacity_mb": "mb"}, "storage_gb", True,
        "disk", "provisioned storage",
    ),
    StorageSheet(
        "vpartition", {"consumed_mib": "mib", "consumed_mb": "mb"}, "storage_used_gb", False,
        "partition", "storage in use",
    ),
)  # fmt: skip


@dataclass(slots=True)  # one per VM and sheet: kept small
class VmTotal:
    gigabytes: float
    parts: int
    first_row: int  # where the report and the value's source point
    problem: str = ""  # a row whose value cannot be read: the total is not used


class _SheetTotals:
    """One storage sheet of the workbook, summed per VM on first use."""

    def __init__(self, workbook: Workbook, sheet_name: str, spec: StorageSheet):
        self.workbook, self.name, self.spec = workbook, sheet_name, spec
        self._by_vm: dict[str, VmTotal] | None = None

    def by_vm(self) -> dict[str, VmTotal]:
        if self._by_vm is None:
            self._by_vm = self._read()
        return self._by_vm

    @property
    def was_read(self) -> bool:
        return self._by_vm is not None

    def _read(self) -> dict[str, VmTotal]:
        limit = self.workbook.limits.max_rows
        totals: dict[str, VmTotal] = {}
        rows = self.workbook.rows(self.name)
        try:
            found = _header(rows, self.spec)
            if found is None:
                return totals  # not a sheet as RVTools writes it: nothing taken from it
            _header_row, vm_index, value_index, unit = found
            factor = UNIT_FACTORS_TO_GB[unit]
            for number, cells in rows:
                name = _name(cells[vm_index] if vm_index < len(cells) else None)
                if not name:
                    continue  # blank rows, and rows of no VM
                raw = cells[value_index] if value_index < len(cells) else None
                total = totals.get(name)
                if total is None:
                    if len(totals) >= limit:
                        raise BadRequest(
                            f"sheet {self.name!r} names more than {limit:,} VMs; at most"
                            f" {limit:,} can be imported at once: split the export",
                            field="file",
                        )
                    total = totals[name] = VmTotal(0.0, 0, number)
                _add(total, raw, factor, number)
        finally:
            rows.close()
        return totals


def _header(rows: Any, spec: StorageSheet) -> tuple[int, int, int, str] | None:
    """(header row, VM column, summed column, its unit) of the first rows, or None."""
    for seen, (number, cells) in enumerate(rows):
        headers = [normalize_header(cell) for cell in cells]
        if "vm" in headers:
            for header, unit in spec.values.items():
                if header in headers:
                    return number, headers.index("vm"), headers.index(header), unit
        if seen + 1 >= HEADER_SEARCH_ROWS:
            break
    return None


def _add(total: VmTotal, raw: Any, factor: float, number: int) -> None:
    total.parts += 1
    if total.problem:
        return
    try:
        gigabytes = parse_number(raw, GIGABYTES, unit_factor=factor)
    except ValueProblem as problem:
        total.problem = f"row {number}: {problem}"
        return
    if gigabytes is not None and gigabytes < 0:
        total.problem = f"row {number}: {raw!r} is negative"
    elif gigabytes is not None:
        total.gigabytes += gigabytes


def _name(cell: Any) -> str:
    text = "" if cell is None else str(cell).strip()
    return text if len(text) <= MAX_NAME_CHARS else ""


class RvtoolsStorage:
    """Fills the storage a vInfo row lacks from vDisk / vPartition, and says so."""

    def __init__(self, workbook: Workbook, columns: Sequence[ColumnTarget], sheets: dict[str, str]):
        self.sheets = [
            _SheetTotals(workbook, sheets[spec.key], spec)
            for spec in STORAGE_SHEETS
            if spec.key in sheets
        ]
        self.name_index = next((c.index for c in columns if c.target == "name"), 0)
        self.vinfo_names: set[str] = set()  # skipped rows (templates) too: they are in vInfo

    @classmethod
    def of(
        cls, workbook: Workbook | None, profile_name: str, columns: Sequence[ColumnTarget]
    ) -> "RvtoolsStorage | None":
        """For an RVTools workbook with a vDisk or vPartition sheet; else None."""
        if workbook is None or profile_name != "rvtools":
            return None
        lowered = {name.strip().lower(): name for name in workbook.sheets}
        if not any(spec.key in lowered for spec in STORAGE_SHEETS):
            return None
        return cls(workbook, columns, lowered)

    @property
    def typed_fields(self) -> list[str]:
        """Typed asset columns a filled row may hold although vInfo has no column for them."""
        return [sheet.spec.field for sheet in self.sheets if sheet.spec.typed]

    def saw(self, cells: Sequence[Any]) -> None:
        """Remembers a vInfo row's VM, whether or not the row is imported."""
        name = _name(cells[self.name_index] if self.name_index < len(cells) else None)
        if name:
            self.vinfo_names.add(name)

    def fill(self, row: AssetRow) -> str:
        """Fills what the row lacks in place; the report's note of what was filled, or ""."""
        notes = []
        for sheet in self.sheets:
            spec = sheet.spec
            values = row.values if spec.typed else row.custom
            if spec.typed:
                values.setdefault(spec.field, None)
            if values.get(spec.field) is not None:
                continue  # vInfo's value stands
            total = sheet.by_vm().get(row.name)
            if total is None:
                continue
            plural = "" if total.parts == 1 else "s"
            counted = f"{total.parts} {spec.parts}{plural}"
            if total.problem:
                notes.append(f"{spec.says} not taken from sheet {sheet.name} ({total.problem})")
                continue
            values[spec.field] = round(total.gigabytes, 4)
            row.origins[spec.field] = (sheet.name, total.first_row)
            notes.append(f"{spec.says} from sheet {sheet.name} ({counted})")
        return "; ".join(notes)

    def unmatched(self) -> list[dict[str, Any]]:
        """One report line per VM of a sheet read that vInfo does not list: its rows are ignored."""
        reported: set[str] = set()
        entries = []
        for sheet in self.sheets:
            if not sheet.was_read:
                continue  # never read: every vInfo row had its value
            for name, total in sheet.by_vm().items():
                if name in self.vinfo_names or name in reported:
                    continue
                reported.add(name)
                entries.append(
                    {
                        "row": total.first_row,
                        "column": "VM",
                        "value": name,
                        "reason": f"sheet {sheet.name}: no such VM in vInfo, its rows are ignored",
                    }
                )
        return entries
