"""Which VM a row of an RVTools tab is about: the same VM on every tab, although names repeat.

RVTools 4.x writes on vInfo and on each per-VM tab (vCPU, vMemory, vDisk, vPartition, ...) the
VM's name ("VM"), its "VM ID" (vCenter's managed object id, "vm-1234": unique within one
vCenter only), its "VM UUID" and the vCenter it was read from ("VI SDK Server"). One workbook
may cover several vCenters, and a name (or a VM ID) may be in two of them, so tabs are joined
by the most telling identity both tabs carry: the VM UUID (with the vCenter when both name
it), else the VM ID with the vCenter, else the name with the vCenter, else the name alone. A
row whose UUID or VM ID cell is blank falls back to the next, on both tabs alike.

RVTools' command-line exports name columns by the tab's internal names instead ("vInfoVMName",
"vMemoryUUID", "vInfoVISDKServer"): those are read too.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from core.inventory.rows import STRING_LIMITS

MAX_NAME_CHARS = STRING_LIMITS.get("name", 255)  # a longer name matches no asset
UUID_HEADERS = ("vm_uuid", "uuid")
Key = tuple[str, str, str]  # (what identifies the VM, its value, the vCenter or "")


@dataclass(frozen=True)
class VmIdentity:
    """The columns of one tab that identify its VM (indexes into a row's cells)."""

    name: int
    uuid: int | None = None
    vm_id: int | None = None
    server: int | None = None

    @classmethod
    def of(cls, headers: Sequence[str], tab: str, name: int | None = None) -> "VmIdentity | None":
        """From the normalized headers of the tab (its name in lower case); None when it has
        no VM column. `name` is the column chosen as the name (vInfo), else RVTools' "VM"."""

        def first(*wanted: str) -> int | None:
            return next((headers.index(h) for h in wanted if h in headers), None)

        name = first("vm", f"{tab}vmname") if name is None else name
        if name is None:
            return None
        uuid = first(*UUID_HEADERS, f"{tab}uuid")
        server = first("vi_sdk_server", f"{tab}visdkserver")
        return cls(name, uuid, first("vm_id"), server)

    def shared(self, other: "VmIdentity") -> "VmIdentity":
        """This identity limited to the columns `other` has too (so both key rows alike)."""
        server = self.server if other.server is not None else None
        return replace(
            self,
            uuid=self.uuid if other.uuid is not None else None,
            vm_id=self.vm_id if other.vm_id is not None and server is not None else None,
            server=server,
        )

    def key(self, cells: Sequence[Any]) -> Key | None:
        """The row's VM; None for a row of no VM (blank, or a name no asset can have)."""
        name = _text(cells, self.name)
        if not name or len(name) > MAX_NAME_CHARS:
            return None
        server = _lower(_text(cells, self.server))
        uuid = _lower(_text(cells, self.uuid))
        if uuid:
            return ("uuid", uuid, server)
        vm_id = _text(cells, self.vm_id) if self.server is not None else ""
        if vm_id:
            return ("vm_id", vm_id, server)
        return ("name", name, server)


def _lower(text: str) -> str:
    """`text` in lower case, the same string when it already is: a workbook's repeated and
    shared strings stay one object however many tabs key a VM by them."""
    lowered = text.lower()
    return text if lowered == text else lowered


def _text(cells: Sequence[Any], index: int | None) -> str:
    if index is None or index >= len(cells) or cells[index] is None:
        return ""
    return str(cells[index]).strip()
