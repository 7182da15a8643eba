"""Which sheet of a workbook holds the servers.

Exports of assessment tools hold many sheets with a name column: SQL instances, web apps, costs
per machine, and the servers themselves. A sheet's rows are servers when its columns, as the
profile of the tool that wrote it reads them, hold what a server has: cores, memory, an OS and
a machine id. The sheet a tool's profile names (RVTools' vInfo) is taken as it is; else the
sheet with the most of those four, when one has more than every other. When none is clearly
the servers, the import is refused with the sheets and their row counts, to be chosen by name.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from core.inventory.column_mapping import ColumnTarget
from core.kernel.errors import BadRequest

# What a server's row holds, each as the targets that say it.
SERVER_SIGNS: tuple[tuple[str, frozenset[str]], ...] = (
    ("cores", frozenset({"cpu_cores"})),
    ("memory", frozenset({"memory_gb"})),
    ("OS", frozenset({"operating_system", "os_version"})),
    (
        "machine id",
        frozenset(
            f"custom_attributes.{key}"
            for key in ("vm_uuid", "machine_id", "vmware_moref_id", "vm_id", "serial_number")
        ),
    ),
)


@dataclass(frozen=True)
class SheetCandidate:
    name: str
    signs: tuple[str, ...]  # the server signs its columns hold, in SERVER_SIGNS' order
    preferred: bool  # the profile of the tool that wrote it names this sheet


def server_signs(columns: Sequence[ColumnTarget]) -> tuple[str, ...]:
    targets = {column.target for column in columns}
    return tuple(sign for sign, wanted in SERVER_SIGNS if targets & wanted)


def choose_sheet(candidates: Sequence[SheetCandidate]) -> tuple[SheetCandidate | None, str]:
    """The servers' sheet and why, in words; (None, "") when none is clearly the servers."""
    if not candidates:
        return None, ""
    preferred = next((c for c in candidates if c.preferred), None)
    if preferred is not None:
        return preferred, f"sheet {preferred.name!r}: the sheet its tool writes the servers on"
    if len(candidates) == 1:
        return candidates[0], f"sheet {candidates[0].name!r}: the only sheet with a name column"
    ranked = sorted(candidates, key=lambda c: -len(c.signs))
    best, runner_up = ranked[0], ranked[1]
    if not best.signs or len(best.signs) == len(runner_up.signs):
        return None, ""
    others = len(candidates) - 1
    which = (
        "1 other sheet with a name column holds"
        if others == 1
        else (f"{others} other sheets with a name column hold")
    )
    return best, (
        f"sheet {best.name!r}: its rows are servers ({', '.join(best.signs)}); {which} fewer"
    )


def unclear_sheets(sheets: Sequence[tuple[str, int]]) -> BadRequest:
    """The refusal naming each sheet and its data rows, for a person to choose one."""
    listed = "; ".join(
        f"{name!r} ({rows:,} row{'' if rows == 1 else 's'})" for name, rows in sheets
    )
    return BadRequest(
        f"no sheet is clearly the servers: choose one of {listed}"
        " (--sheet NAME, or the sheet picker on the Import page)",
        field="sheet",
    )
