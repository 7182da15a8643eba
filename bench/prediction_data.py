"""Realistic inventories for bench/predictions.py, as the files discovery tools export.

Each is built from a hidden estate: applications with their owners, criticality, zone and
usual OS; hosts named by convention (`crm-prd-03`, with some legacy names that say nothing),
placed in clusters, folders, accounts and VPCs that follow environment and application, and
noise everywhere (one host in ten breaks each rule), as in the inventories people bring.
"""

import random
import zlib
from dataclasses import dataclass

from core.inventory.spreadsheet import csv_file

ENVIRONMENTS = (
    ("production", 0.45),
    ("development", 0.2),
    ("test", 0.15),
    ("staging", 0.1),
    ("dr", 0.1),
)
ENV_TOKENS = {
    "production": ("prd", "prod", "p"),
    "development": ("dev", "d"),
    "test": ("tst", "uat", "qa"),
    "staging": ("stg", "preprod"),
    "dr": ("dr",),
}
OS_VERSIONS = {
    "Linux": (("RHEL 8", 0.55), ("RHEL 7", 0.25), ("Ubuntu 20.04", 0.2)),
    "Windows": (
        ("Windows Server 2019", 0.6),
        ("Windows Server 2016", 0.3),
        ("Windows Server 2012 R2", 0.1),
    ),
    "AIX": (("AIX 7.2", 0.8), ("AIX 7.1", 0.2)),
}
FIRST = ("Noor", "Tom", "Ada", "Li", "Sara", "Ravi", "Mia", "Jon", "Eva", "Omar", "Kai", "Zoe")
LAST = ("Haddad", "Becker", "Okafor", "Chen", "Silva", "Iyer", "Novak", "Berg", "Lund", "Sato")
NOISE = 0.1


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


@dataclass
class App:
    code: str
    business_owner: str
    technical_owner: str
    criticality: str
    zone: str
    os: str
    stack: str
    compliance: str


def applications(rng: random.Random, count: int) -> list[App]:
    apps = []
    for number in range(count):
        os_family = pick(rng, (("Linux", 0.6), ("Windows", 0.35), ("AIX", 0.05)))
        apps.append(
            App(
                code=f"{rng.choice(('crm', 'erp', 'hr', 'pay', 'web', 'bi', 'ops', 'mail'))}{number}",
                business_owner=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                technical_owner=f"Team {rng.choice(('Atlas', 'Orion', 'Vega', 'Lyra', 'Nova'))}",
                criticality=pick(
                    rng, (("low", 0.2), ("medium", 0.35), ("high", 0.3), ("critical", 0.15))
                ),
                zone=pick(rng, (("internal", 0.6), ("dmz", 0.2), ("restricted", 0.2))),
                os=os_family,
                stack="Java" if os_family != "Windows" else ".NET",
                compliance=pick(rng, (("none", 0.5), ("pci", 0.2), ("sox", 0.2), ("gdpr", 0.1))),
            )
        )
    return apps


def noisy(rng: random.Random, value: str, alternatives: tuple[str, ...]) -> str:
    return rng.choice(alternatives) if rng.random() < NOISE else value


@dataclass
class Host:
    name: str
    app: App
    environment: str
    os: str
    os_version: str
    criticality: str
    zone: str
    business_owner: str
    technical_owner: str
    cores: int
    memory_gb: int
    site: str
    cluster: str


def estate(rng: random.Random, hosts: int) -> list[Host]:
    apps = applications(rng, max(8, hosts // 40))
    found = []
    for number in range(hosts):
        app = rng.choice(apps)
        env = pick(rng, ENVIRONMENTS)
        legacy = rng.random() < 0.2
        token = rng.choice(ENV_TOKENS[env])
        name = f"srv{number:05d}" if legacy else f"{app.code}-{token}-{number:04d}"
        os_family = noisy(rng, app.os, ("Linux", "Windows"))
        site = "DC2" if env == "dr" else rng.choice(("DC1", "DC1", "DC3"))
        tier = "PROD" if env in ("production", "dr") else "NONPROD"
        cluster = f"{site}-{tier}-{'AB'[number % 2]}"
        if rng.random() < NOISE:
            cluster = f"{site}-{rng.choice(('PROD', 'NONPROD'))}-A"
        criticality = app.criticality if env == "production" else "low"
        found.append(
            Host(
                name=name,
                app=app,
                environment=env,
                os=os_family,
                os_version=pick(rng, OS_VERSIONS[os_family]),
                criticality=noisy(rng, criticality, ("low", "medium", "high")),
                zone=noisy(rng, app.zone, ("internal", "dmz")),
                business_owner=noisy(
                    rng, app.business_owner, (f"{rng.choice(FIRST)} {rng.choice(LAST)}",)
                ),
                technical_owner=noisy(rng, app.technical_owner, ("Team Atlas", "Team Nova")),
                cores=rng.choice((2, 4, 4, 8, 16)),
                memory_gb=rng.choice((8, 16, 16, 32, 64)),
                site=site,
                cluster=cluster,
            )
        )
    return found


def rvtools(rng: random.Random, hosts: int) -> bytes:
    """vInfo-like: VM, CPUs, Memory, OS, Cluster, Datacenter, Folder, plus a CMDB merge."""
    header = ["VM", "Powerstate", "CPUs", "Memory", "OS according to the configuration file",
              "os_version", "Cluster", "Datacenter", "Folder", "environment", "criticality",
              "network_zone", "business_owner", "technical_owner", "hypervisor"]  # fmt: skip
    rows = [
        [
            h.name,
            "poweredOn",
            h.cores,
            h.memory_gb * 1024,
            h.os,
            h.os_version,
            h.cluster,
            h.site,
            f"/{h.site}/{h.app.code}",
            h.environment,
            h.criticality,
            h.zone,
            h.business_owner,
            h.technical_owner,
            "vmware",
        ]  # fmt: skip
        for h in estate(rng, hosts)
    ]
    return csv_file(header, rows)


def servicenow(rng: random.Random, hosts: int) -> bytes:
    """cmdb_ci_server-like: name, sys_class_name, business service, support group, location."""
    header = ["name", "sys_class_name", "os", "os_version", "cpu_count", "ram", "location",
              "u_business_service", "environment", "business_criticality", "zone", "owned_by",
              "support_group", "virtualization_platform", "compliance"]  # fmt: skip
    rows = []
    for h in estate(rng, hosts):
        physical = h.os == "AIX" or rng.random() < 0.15
        rows.append(
            [
                h.name,
                "server" if physical else "virtual_machine",
                h.os,
                h.os_version,
                h.cores,
                h.memory_gb,
                h.site,
                h.app.code,
                h.environment,
                h.criticality,
                h.zone,
                h.business_owner,
                h.technical_owner,
                "physical" if physical else "vmware",
                noisy(rng, h.app.compliance, ("none", "pci")),
            ]  # fmt: skip
        )
    return csv_file(header, rows)


def aws(rng: random.Random, hosts: int) -> bytes:
    """EC2 describe-instances flattened: Name tag, account, VPC, subnet, tags."""
    header = ["Name", "type", "os", "os_version", "vCPUs", "memory", "AccountId", "VpcId",
              "SubnetId", "tag_Application", "environment", "criticality", "segment",
              "owner", "tech_owner", "hypervisor"]  # fmt: skip
    rows = []
    for h in estate(rng, hosts):
        account = "111111111111" if h.environment in ("production", "dr") else "222222222222"
        if rng.random() < NOISE:
            account = "333333333333"
        vpc = f"vpc-{zlib.crc32(f'{account}{h.app.code}'.encode()):08x}"
        rows.append(
            [
                h.name,
                "virtual_machine",
                h.os,
                h.os_version,
                h.cores,
                h.memory_gb,
                account,
                vpc,
                f"subnet-{h.zone}-{account[-2:]}",
                h.app.code,
                h.environment,
                h.criticality,
                h.zone,
                h.business_owner,
                h.technical_owner,
                "kvm",
            ]  # fmt: skip
        )
    return csv_file(header, rows)


LAYOUTS = {"rvtools": rvtools, "servicenow": servicenow, "aws": aws}
