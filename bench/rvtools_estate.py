"""An RVTools 4.x "export all" workbook shaped like a real vCenter's, for bench/predictions.py.

vInfo with RVTools' columns in its order; names by role as estates name them (domain
controllers `dc01`, SQL servers `sql-prd-04`, web and app tiers per application, appliances
such as vCenter and NSX on Photon OS, "Other (64-bit)" appliances); Windows guests whose
details name their build ("Microsoft Windows Server 2019 Datacenter, 64-bit (Build
17763.8276)"), so one version arrives in many spellings; clusters and folders that follow the
role with one VM in ten breaking the rule; powered-off VMs with the 1969-12-31 "no date".
    python bench/rvtools_estate.py [--vms 1500] [--seed 11] --out estate.xlsx
"""

import argparse
import io
import random
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

VINFO = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "Config status", "DNS Name",
    "Connection state", "Guest state", "Heartbeat", "Consolidation Needed", "PowerOn",
    "CPUs", "Memory", "NICs", "Disks", "Primary IP Address", "Network #1", "Annotation",
    "Provisioned MiB", "In Use MiB", "Unshared MiB", "Path", "Folder", "Firmware",
    "OS according to the configuration file", "OS according to the VMware Tools",
    "Guest Detailed Data", "VM ID", "VM UUID", "SMBIOS UUID", "VI SDK Server type",
    "VI SDK API Version", "Datacenter", "Cluster", "Host", "VI SDK Server", "VI SDK UUID",
]  # fmt: skip
WINDOWS = {
    "2016": ("Microsoft Windows Server 2016 or later (64-bit)", "14393", 7000),
    "2019": ("Microsoft Windows Server 2019 (64-bit)", "17763", 8300),
    "2022": ("Microsoft Windows Server 2022 (64-bit)", "20348", 3200),
}
LINUX = {
    "rhel8": ("Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux 8.9 (Ootpa)"),
    "rhel9": ("Red Hat Enterprise Linux 9 (64-bit)", "Red Hat Enterprise Linux 9.3 (Plow)"),
    "ubuntu": ("Ubuntu Linux (64-bit)", "Ubuntu 22.04.4 LTS"),
}
# role -> (name pattern, cluster, guest choices with weights, vCPUs, GiB)
ROLES = (
    ("dc", "dc{n:02d}", "CL-INFRA", (("win:2019", 0.6), ("win:2022", 0.4)), 2, 8),
    ("sql", "sql-prd-{n:02d}", "CL-DB", (("win:2019", 0.7), ("win:2016", 0.3)), 8, 64),
    ("web", "{app}-web-{n:02d}", "CL-LNX", (("lnx:rhel8", 0.5), ("lnx:ubuntu", 0.5)), 2, 8),
    ("app", "{app}-app-{n:02d}", "CL-APP", (("win:2019", 0.4), ("lnx:rhel9", 0.6)), 4, 16),
    ("file", "fs{n:02d}", "CL-INFRA", (("win:2016", 0.5), ("win:2022", 0.5)), 4, 16),
    ("appliance", "{app}-vsa-{n:02d}", "CL-MGMT", (("photon:4.0", 0.6), ("other", 0.4)), 4, 12),
)
ROLE_SHARE = (("dc", 0.04), ("sql", 0.12), ("web", 0.3), ("app", 0.36), ("file", 0.08),
              ("appliance", 0.1))  # fmt: skip
APPS = ("crm", "erp", "billing", "hr", "shop", "portal", "ledger", "mail", "intranet", "pay")


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


def _guest(rng: random.Random, choice: str) -> tuple[str, str, str]:
    """(OS of the configuration file, OS of the VMware Tools, Guest Detailed Data)."""
    kind, _, which = choice.partition(":")
    if kind == "win":
        name, build, last = WINDOWS[which]
        edition = rng.choice(("Datacenter", "Standard"))
        pretty = f"{name.split(' (')[0].replace(' or later', '')} {edition}, 64-bit (Build {build}.{rng.randint(last - 900, last)})"  # noqa: E501
        detail = f"architecture='X86' bitness='64' familyName='Windows' prettyName='{pretty}'"
        return name, name, detail
    if kind == "lnx":
        name, pretty = LINUX[which]
        return (
            name,
            name,
            f"architecture='X86' bitness='64' familyName='Linux' prettyName='{pretty}'",
        )
    if kind == "photon":
        name = "VMware Photon OS (64-bit)"
        detail = (
            "architecture='X86' bitness='64' distroName='VMware Photon OS'"
            f" distroVersion='{which}' familyName='Linux' prettyName='VMware Photon OS/Linux'"
        )
        return name, name, detail
    return "Other (64-bit)", "", ""


def estate(vms: int, seed: int) -> bytes:
    rng = random.Random(seed)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "vInfo"
    sheet.append(VINFO)
    counters: dict[str, int] = {}
    for index in range(vms):
        role = _pick(rng, ROLE_SHARE)
        _role, pattern, cluster, guests, cpus, gib = next(r for r in ROLES if r[0] == role)
        app = rng.choice(APPS)
        counters[role + app] = counters.get(role + app, 0) + 1
        name = pattern.format(n=counters[role + app], app=app)
        if name in counters:
            name = f"{name}-{index}"
        counters[name] = 1
        if rng.random() < 0.1:  # one VM in ten breaks the rule: another cluster
            cluster = rng.choice(("CL-INFRA", "CL-DB", "CL-LNX", "CL-APP", "CL-MGMT"))
        config_os, tools_os, detail = _guest(rng, _pick(rng, guests))
        powered = rng.random() < 0.9
        row = {
            "VM": name, "Powerstate": "poweredOn" if powered else "poweredOff",
            "Template": False, "SRM Placeholder": False, "Config status": "green",
            "DNS Name": f"{name}.corp.example.com" if powered else "",
            "Connection state": "connected", "Guest state": "running" if powered else "notRunning",
            "Heartbeat": "green", "Consolidation Needed": False,
            "PowerOn": datetime(2024, rng.randint(1, 12), rng.randint(1, 28), 8, 0)
            if powered else datetime(1969, 12, 31, 19, 0),
            "CPUs": rng.choice((cpus, cpus, 2, 4, 8)),
            "Memory": rng.choice((gib, gib, 8, 16, 32)) * 1024, "NICs": 1, "Disks": rng.choice((1, 2, 3)),
            "Primary IP Address": f"10.{index // 60000}.{index // 250 % 240}.{index % 250 + 1}",
            "Network #1": f"VLAN-{cluster}", "Annotation": "", "Provisioned MiB": 102400,
            "In Use MiB": 40960, "Unshared MiB": 40960, "Path": f"[ds01] {name}/{name}.vmx",
            "Folder": f"/{app}/{role}", "Firmware": rng.choice(("bios", "efi")),
            "OS according to the configuration file": config_os,
            "OS according to the VMware Tools": tools_os if powered else "",
            "Guest Detailed Data": detail if powered else "", "VM ID": f"vm-{1000 + index}",
            "VM UUID": f"5003{index:04x}-0000-4000-8000-{index:012d}",
            "SMBIOS UUID": f"4203{index:04x}-1111-4000-8000-{index:012d}",
            "VI SDK Server type": "VMware vCenter Server", "VI SDK API Version": "8.0.2",
            "Datacenter": "DC-Frankfurt", "Cluster": cluster,
            "Host": f"esx{index % 24:02d}.corp.example.com",
            "VI SDK Server": "vcenter01.corp.example.com", "VI SDK UUID": "9a1b-2c3d",
        }  # fmt: skip
        sheet.append([row[column] for column in VINFO])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vms", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    Path(args.out).write_bytes(estate(args.vms, args.seed))


if __name__ == "__main__":
    main()
