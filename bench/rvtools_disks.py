"""The cost of RVTools' disk tabs: reading vDisk and vPartition into per-VM sums against
reading the vInfo sheet's rows, on the same generated workbook, in one process.

vInfo lists N VMs without storage values; vDisk holds 2 disks and vPartition 2 partitions
per VM (each tab twice vInfo's rows, far fewer columns). Prints one JSON object: the best of
--repeat runs of each side, their ratio, and the memory the sums keep (tracemalloc).
    python bench/rvtools_disks.py [--vms 20000] [--repeat 3]
"""

import argparse
import io
import json
import time
import tracemalloc

from openpyxl import Workbook

from core.inventory.files import read_table
from core.inventory.limits import ImportLimits
from core.inventory.rvtools_storage import RvtoolsStorage

VINFO = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
         "OS according to the configuration file", "Datacenter", "Cluster", "Host"]  # fmt: skip
VDISK = ["VM", "Powerstate", "Template", "Disk", "Disk Key", "Disk Path", "Capacity MiB",
         "Thin", "Controller", "Unit #", "Host"]  # fmt: skip
VPARTITION = ["VM", "Powerstate", "Template", "Disk Key", "Disk", "Capacity MiB",
              "Consumed MiB", "Free MiB", "Free %", "Host"]  # fmt: skip


def workbook(vms: int) -> bytes:
    book = Workbook(write_only=True)
    info, disks, parts = (book.create_sheet(n) for n in ("vInfo", "vDisk", "vPartition"))
    info.append(VINFO)
    disks.append(VDISK)
    parts.append(VPARTITION)
    for index in range(vms):
        name, host = f"vm-{index:06d}", f"esx{index % 64:02d}.corp"
        info.append([name, "poweredOn", False, 4, 16384, None, None, "CentOS 7 (64-bit)",
                     "DC1", f"CL{index % 12:02d}", host])  # fmt: skip
        for disk in (1, 2):
            disks.append([name, "poweredOn", False, f"Hard disk {disk}", 2000 + disk,
                          f"[ds01] {name}/{name}_{disk}.vmdk", 40960 * disk, True,
                          "SCSI controller 0", disk, host])  # fmt: skip
            parts.append([name, "poweredOn", False, 2000 + disk, f"/data{disk}", 40960,
                          10240 * disk, 40960 - 10240 * disk, 50, host])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    content = workbook(args.vms)
    limits = ImportLimits.from_settings(max_rows=max(args.vms, 1))
    vinfo_runs, sums_runs = [], []
    for _ in range(args.repeat):
        table = read_table(content, "rvtools.xlsx", limits)
        started = time.perf_counter()
        rows = sum(1 for _ in table.rows())
        vinfo_runs.append(time.perf_counter() - started)
        storage = RvtoolsStorage.of(table.workbook, table.profile.name, table.columns)
        assert storage is not None and rows == args.vms
        started = time.perf_counter()
        totals = [len(sheet.by_vm()) for sheet in storage.sheets]
        sums_runs.append(time.perf_counter() - started)
        assert totals == [args.vms, args.vms]
    # Once more, under tracemalloc (which slows it): what the sums keep once read.
    storage = RvtoolsStorage.of(table.workbook, table.profile.name, table.columns)
    assert storage is not None
    tracemalloc.start()
    for sheet in storage.sheets:
        sheet.by_vm()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    vinfo, sums = min(vinfo_runs), min(sums_runs)
    print(
        json.dumps(
            {
                "vms": args.vms,
                "workbook_bytes": len(content),
                "vinfo_rows_s": round(vinfo, 3),
                "vdisk_and_vpartition_sums_s": round(sums, 3),
                "ratio_sums_to_vinfo": round(sums / vinfo, 2),
                "sums_kept_mb_under_tracemalloc": round(kept / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
