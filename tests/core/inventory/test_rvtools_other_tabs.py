"""RVTools' per-VM tabs state each VM's OS (as the configuration file and the VMware Tools
say it), datacenter, cluster, host and folder: a VM whose vInfo row holds only its name and
power state gets them from vCPU, vMemory, vTools, vDisk or vPartition, read as vInfo's are."""

import io

from openpyxl import Workbook
from sqlalchemy import select

from core.inventory.importer import import_assets, preview_import
from core.inventory.provenance import sources_of
from db.models import Asset
from tests.core.inventory.rvtools_sheets import (
    RVTOOLS_VCPU,
    rvtools_workbook,
    vcpu_row,
    vdisk_row,
    vmemory_row,
)
from tests.factories import in_uow

TOOLS_OS = "OS according to the VMware Tools"
CONFIG_OS = "OS according to the configuration file"
# RVTools 4.x vTools, in RVTools' order (a subset of its ~40 columns).
RVTOOLS_VTOOLS = [
    "VM", "Powerstate", "Template", "SRM Placeholder", "VM Version", "Tools", "Tools Version",
    "Required Version", "Upgradeable", "Upgrade Policy", "Sync time", "App status",
    "Heartbeat status", "Kernel Crash state", "Operation Ready", "State change support",
    "Interactive Guest", "Annotation", "Datacenter", "Cluster", "Host", "Folder",
    "OS according to the configuration file", "OS according to the VMware Tools", "VM ID",
    "VM UUID", "VI SDK Server", "VI SDK UUID",
]  # fmt: skip


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def test_a_vm_with_only_its_name_and_power_state_in_vinfo_gets_its_os_and_place(db, tenant):
    content = rvtools_workbook(
        [["web-01", "poweredOn"], ["db-01", "poweredOff"]],
        vinfo_header=["VM", "Powerstate"],
        vcpu=[
            vcpu_row(
                "web-01",
                4,
                2,
                2,
                **{
                    TOOLS_OS: "Microsoft Windows Server 2019 (64-bit)",
                    CONFIG_OS: "Microsoft Windows Server 2016 or later (64-bit)",
                },
            ),
            vcpu_row(
                "db-01",
                8,
                2,
                4,
                Cluster="CL-DB-02",
                Host="esx07.corp.example.com",
                **{
                    TOOLS_OS: "",
                    CONFIG_OS: "Red Hat Enterprise Linux 8 (64-bit)",
                },
            ),
        ],  # fmt: skip
        vmemory=[vmemory_row("web-01", 16384), vmemory_row("db-01", 65536)],
        vdisk=[vdisk_row("web-01", 1, 102400), vdisk_row("db-01", 1, 204800)],
    )
    preview = preview_import(content, "RVTools_export_all.xlsx")
    assert (
        "sheets vCPU, vMemory, vDisk give the OS, datacenter, cluster, host and folder where"
        " vInfo lacks them (read at import)" in preview.notes
    )

    report = in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")

    assets = assets_by_name(db)
    web, database = assets["web-01"], assets["db-01"]
    assert (web.operating_system, web.os_version) == ("Windows", "Server 2019")
    assert web.custom_attributes["os_name"] == "Microsoft Windows Server 2019 (64-bit)"
    assert (database.operating_system, database.os_version) == (
        "Linux",
        "Red Hat Enterprise Linux 8",
    )
    assert (web.cpu_cores, web.memory_gb, web.storage_gb) == (4, 16.0, 100.0)
    custom = database.custom_attributes
    assert (custom["datacenter"], custom["cluster"], custom["host"], custom["folder"]) == (
        "DC-Frankfurt", "CL-DB-02", "esx07.corp.example.com", "Production/Web",
    )  # fmt: skip
    notes = {entry["row"]: entry["note"] for entry in report.row_notes}
    assert "OS from sheet vCPU" in notes[2]
    assert "OS from sheet vCPU (configuration file)" in notes[3]
    sources = {
        field: (source.file, source.row)
        for (_, field), source in in_uow(
            db, tenant, lambda uow: sources_of(uow).for_assets([database.id])
        ).items()
    }
    assert sources["operating_system"] == ("RVTools_export_all.xlsx [vCPU]", 4)
    again = in_uow(db, tenant, import_assets, content, "RVTools_export_all.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_vinfo_s_own_values_stand_and_vtools_alone_gives_the_os(db, tenant):
    workbook = Workbook()
    info = workbook.active
    info.title = "vInfo"
    info.append(["VM", "Powerstate", "Cluster", "VM UUID"])
    info.append(["app-01", "poweredOn", None, "4201-aa"])  # a host of no cluster
    tools = workbook.create_sheet("vTools")
    tools.append(RVTOOLS_VTOOLS)
    row = dict.fromkeys(RVTOOLS_VTOOLS)
    row.update({"VM": "app-01", "Cluster": "CL-Other", "Host": "esx09", "VM UUID": "4201-aa",
                TOOLS_OS: "VMware Photon OS (64-bit)", "Datacenter": "DC-Paris"})  # fmt: skip
    tools.append(list(row.values()))
    buffer = io.BytesIO()
    workbook.save(buffer)

    in_uow(db, tenant, import_assets, buffer.getvalue(), "RVTools.xlsx")

    app = assets_by_name(db)["app-01"]
    assert app.operating_system == "Linux"
    assert "cluster" not in app.custom_attributes  # vInfo says: none
    assert (app.custom_attributes["host"], app.custom_attributes["datacenter"]) == (
        "esx09", "DC-Paris",
    )  # fmt: skip


def test_a_vinfo_row_with_its_os_reads_no_tab_for_it(db, tenant):
    content = rvtools_workbook(
        [["web-01", "poweredOn", "CentOS 7 (64-bit)"]],
        vinfo_header=["VM", "Powerstate", TOOLS_OS],
        vcpu=[vcpu_row("web-01", 4, 2, 2, **{TOOLS_OS: "Ubuntu Linux (64-bit)"})],
    )
    in_uow(db, tenant, import_assets, content, "RVTools.xlsx")
    assert assets_by_name(db)["web-01"].os_version == "CentOS 7"
    assert RVTOOLS_VCPU[-5] == TOOLS_OS  # the tabs' tail as RVTools writes it
