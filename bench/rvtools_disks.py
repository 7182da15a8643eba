"""The cost of RVTools' per-VM tabs: reading vCPU and vMemory (one row per VM) and vDisk and
vPartition (per-VM sums) against reading the vInfo sheet's rows, on the same generated
workbook, in one process.

vInfo lists N VMs without storage values; vCPU and vMemory one row per VM; vDisk holds 2 disks
and vPartition 2 partitions per VM (each twice vInfo's rows, far fewer columns). Prints one
JSON object: the best of --repeat runs of each side, their ratios, and the memory what is read
keeps (tracemalloc).
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
from core.inventory.rvtools_tabs import RvtoolsTabs

VINFO = ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB", "In Use MiB",
         "OS according to the configuration file", "Datacenter", "Cluster", "Host", "VM ID",
         "VM UUID", "VI SDK Server"]  # fmt: skip
VDISK = ["VM", "Powerstate", "Template", "Disk", "Disk Key", "Disk Path", "Capacity MiB",
         "Thin", "Controller", "Unit #", "Host", "VM ID", "VM UUID", "VI SDK Server"]  # fmt: skip
VCPU = ["VM", "Powerstate", "Template", "CPUs", "Sockets", "Cores p/s", "Shares", "Reservation",
        "Limit", "Host", "VM ID", "VM UUID", "VI SDK Server"]  # fmt: skip
VMEMORY = ["VM", "Powerstate", "Template", "Size MiB", "Overhead", "Consumed", "Shares",
           "Reservation", "Limit", "Host", "VM ID", "VM UUID", "VI SDK Server"]  # fmt: skip
VPARTITION = ["VM", "Powerstate", "Template", "Disk Key", "Disk", "Capacity MiB",
              "Consumed MiB", "Free MiB", "Free %", "Host", "VM ID", "VM UUID",
              "VI SDK Server"]  # fmt: skip


def workbook(vms: int) -> bytes:
    book = Workbook(write_only=True)
    names = ("vInfo", "vCPU", "vMemory", "vDisk", "vPartition")
    info, cpus, memory, disks, parts = (book.create_sheet(name) for name in names)
    for sheet, header in zip(
        (info, cpus, memory, disks, parts), (VINFO, VCPU, VMEMORY, VDISK, VPARTITION), strict=True
    ):
        sheet.append(header)
    for index in range(vms):
        name, host = f"vm-{index:06d}", f"esx{index % 64:02d}.corp"
        who = [f"vm-{index + 1000}", f"5003e1b2-0000-4000-8000-{index:012d}", "vc01.corp"]
        info.append([name, "poweredOn", False, 4, 16384, None, None, "CentOS 7 (64-bit)",
                     "DC1", f"CL{index % 12:02d}", host, *who])  # fmt: skip
        cpus.append([name, "poweredOn", False, 4, 2, 2, 4000, 0, -1, host, *who])
        memory.append([name, "poweredOn", False, 16384, 58, 4096, 163840, 0, -1, host, *who])
        for disk in (1, 2):
            disks.append([name, "poweredOn", False, f"Hard disk {disk}", 2000 + disk,
                          f"[ds01] {name}/{name}_{disk}.vmdk", 40960 * disk, True,
                          "SCSI controller 0", disk, host, *who])  # fmt: skip
            parts.append([name, "poweredOn", False, 2000 + disk, f"/data{disk}", 40960,
                          10240 * disk, 40960 - 10240 * disk, 50, host, *who])  # fmt: skip
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
    runs: dict[str, list[float]] = {"vinfo": [], "vcpu_vmemory": [], "vdisk_vpartition": []}
    for _ in range(args.repeat):
        table = read_table(content, "rvtools.xlsx", limits)
        started = time.perf_counter()
        rows = sum(1 for _ in table.rows())
        runs["vinfo"].append(time.perf_counter() - started)
        tabs = RvtoolsTabs.of(table)
        assert tabs is not None and rows == args.vms
        for side, tab_names in (("vcpu_vmemory", ("vCPU", "vMemory")),
                                ("vdisk_vpartition", ("vDisk", "vPartition"))):  # fmt: skip
            started = time.perf_counter()
            read = [len(tab.entries()) for tab in tabs.tabs if tab.name in tab_names]
            runs[side].append(time.perf_counter() - started)
            assert read == [args.vms, args.vms], read
    # Once more, under tracemalloc (which slows it): what the tabs keep once read.
    tabs = RvtoolsTabs.of(read_table(content, "rvtools.xlsx", limits))
    assert tabs is not None
    tracemalloc.start()
    for tab in tabs.tabs:
        tab.entries()
    kept = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    best = {side: min(times) for side, times in runs.items()}
    print(
        json.dumps(
            {
                "vms": args.vms,
                "workbook_bytes": len(content),
                "vinfo_rows_s": round(best["vinfo"], 3),
                "vcpu_and_vmemory_s": round(best["vcpu_vmemory"], 3),
                "vdisk_and_vpartition_sums_s": round(best["vdisk_vpartition"], 3),
                "ratio_vcpu_vmemory_to_vinfo": round(best["vcpu_vmemory"] / best["vinfo"], 2),
                "ratio_disk_sums_to_vinfo": round(best["vdisk_vpartition"] / best["vinfo"], 2),
                "four_tabs_kept_mb_under_tracemalloc": round(kept / 2**20, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
