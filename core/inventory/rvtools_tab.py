"""One per-VM tab of an RVTools workbook, read into what it says of each VM.

A tab is described by a TabSpec: the values it gives (each from the first of its headers the
tab has, in the unit RVTools writes it) and whether it has one row per VM (vCPU, vMemory: the
VM's row is read) or many (vDisk, vPartition: rows are summed per VM). Its header is read when
the tab is opened; its rows once, streamed under the workbook's limits, when a vInfo row first
needs them. Only what each VM holds is kept, for at most as many VMs as the row limit.
"""

from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from core.catalogue.numbers import COUNT, GIGABYTES, parse_number
from core.catalogue.text_values import ValueProblem, clean_value, shown
from core.inventory.column_mapping import UNIT_FACTORS_TO_GB, normalize_header
from core.inventory.rvtools_identity import Key, VmIdentity
from core.inventory.xlsx_rows import DamagedSheet, Workbook
from core.kernel.errors import BadRequest

HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class TabValue:
    field: str  # asset column (typed) or custom key it fills
    headers: Mapping[str, str]  # normalized header -> its size unit, read into GB ("": as is)
    says: str  # as the report names it: "provisioned storage", "sockets"
    typed: bool = False
    whole: bool = False  # a count
    # vInfo has a column for it: filling it is worth a note on the row (else only a source).
    stands_in: bool = False
    text: bool = False  # kept as written (an OS, a cluster), the VM's first row's
    listed: bool = False  # each row's number, in order ("100, 50": each disk's size)


@dataclass(frozen=True)
class TabSpec:
    key: str  # the sheet's name in lower case
    values: tuple[TabValue, ...]
    summed: bool  # many rows per VM, summed; else the VM's (first) row
    part: str = ""  # what one row is, as the report counts them when summed


@dataclass(slots=True)  # one per VM and tab: kept small
class VmEntry:
    name: str
    first_row: int  # where the report and the value's source point
    rows: int
    values: list[Any]  # a number, or the text of a text value
    problems: list[str] | None = None  # per value: why it is not used ("" when it is)


class Tab:
    """A tab of the workbook as RVTools writes it (else `readable` is False)."""

    def __init__(self, workbook: Workbook, sheet_name: str, spec: TabSpec, vinfo: VmIdentity):
        self.workbook, self.name, self.spec = workbook, sheet_name, spec
        self._entries: dict[Key, VmEntry] | None = None
        self.columns: list[tuple[int, str] | None] = [None] * len(spec.values)
        self.identity: VmIdentity | None = None
        self.vinfo = vinfo
        self._header_row = 0
        self.damaged = ""  # why the tab cannot be read at all: it is left out, and said so
        rows = workbook.rows(sheet_name)
        try:
            for seen, (number, cells) in enumerate(rows):
                headers = [normalize_header(cell) for cell in cells]
                identity = VmIdentity.of(headers, spec.key)
                columns = [_column(headers, value) for value in spec.values]
                if identity is not None and any(columns):
                    self.columns, self._header_row = columns, number
                    # Both sides key rows by the identity columns both have.
                    self.identity, self.vinfo = identity.shared(vinfo), vinfo.shared(identity)
                    break
                if seen + 1 >= HEADER_SEARCH_ROWS:
                    break
        except DamagedSheet as damage:
            self.damaged = damage.message
        finally:
            rows.close()

    @property
    def readable(self) -> bool:
        return self.identity is not None

    @property
    def was_read(self) -> bool:
        return self._entries is not None

    def gives(self, index: int) -> bool:
        return self.columns[index] is not None

    def entries(self) -> dict[Key, VmEntry]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[Key, VmEntry]:
        assert self.identity is not None
        limit = self.workbook.limits.max_rows
        entries: dict[Key, VmEntry] = {}
        readers = [_reader(self.spec.values[i], c) for i, c in enumerate(self.columns)]
        rows = self.workbook.rows(self.name)
        try:
            for number, cells in rows:
                if number <= self._header_row:
                    continue
                key = self.identity.key(cells)
                if key is None:
                    continue  # blank rows, and rows of no VM
                entry = entries.get(key)
                if entry is None:
                    if len(entries) >= limit:
                        raise BadRequest(
                            f"sheet {self.name!r} names more than {limit:,} VMs; at most"
                            f" {limit:,} can be imported at once: split the export",
                            field="file",
                        )
                    name = str(cells[self.identity.name]).strip()
                    entry = entries[key] = VmEntry(name, number, 0, [None] * len(readers))
                elif not self.spec.summed:
                    entry.rows += 1  # the VM's row again: its first row stands
                    continue
                entry.rows += 1
                for index, read in enumerate(readers):
                    if read is not None:
                        _take(entry, index, read, cells, number, self.spec.summed)
        finally:
            rows.close()
        return entries


Reader = tuple[int, float, bool, bool, bool]  # cell, factor to GB, whole, text, listed


def _column(headers: list[str], value: TabValue) -> tuple[int, str] | None:
    found = next((h for h in value.headers if h in headers), None)
    return None if found is None else (headers.index(found), value.headers[found])


def _reader(value: TabValue, column: tuple[int, str] | None) -> Reader | None:
    if column is None:
        return None
    index, unit = column
    factor = UNIT_FACTORS_TO_GB[unit] if unit else 1.0
    return index, factor, value.whole, value.text, value.listed


def _take(
    entry: VmEntry, index: int, read: Reader, cells: Sequence[Any], number: int, summed: bool
) -> None:
    if entry.problems is not None and entry.problems[index]:
        return  # one unreadable row: the VM's value is not used
    cell, factor, whole, text, listed = read
    raw = cells[cell] if cell < len(cells) else None
    if text:
        if entry.values[index] is None:
            with suppress(ValueProblem):  # a NUL character: no value
                entry.values[index] = clean_value(raw)
        return
    try:
        value = parse_number(raw, GIGABYTES if factor != 1.0 else COUNT, unit_factor=factor)
        if value is not None and value < 0:
            raise ValueProblem(f"{shown(raw)} is negative")
        if value is not None and whole and value != int(value):
            raise ValueProblem(f"{shown(raw)} is not a whole number")
    except ValueProblem as problem:
        if entry.problems is None:
            entry.problems = [""] * len(entry.values)
        entry.problems[index] = f"row {number}: {problem}"
        return
    if value is None:
        return
    if whole:
        value = int(value)  # small counts are shared objects: a VM's sockets cost nothing
    earlier = entry.values[index]
    if listed:
        entry.values[index] = [*(earlier or []), value]
        return
    entry.values[index] = value if earlier is None or not summed else earlier + value
