"""An RVTools workbook's vDisk and vPartition tabs give the storage its vInfo rows lack."""

import pytest
from sqlalchemy import select

from core.inventory.importer import import_assets, preview_import
from core.inventory.provenance import sources_of
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import RVTOOLS_VINFO, rvtools_vm
from tests.core.inventory.rvtools_sheets import rvtools_workbook, vdisk_row, vpartition_row
from tests.factories import in_uow

NO_STORAGE = {"Provisioned MiB": None, "In Use MiB": None}


def assets_by_name(db) -> dict[str, Asset]:
    db.expire_all()
    return {asset.name: asset for asset in db.scalars(select(Asset))}


def estate() -> bytes:
    """web-01 has no storage in vInfo but two disks and two partitions; db-01's vInfo values
    differ from its disk; the template and ghost-01 (not in vInfo) have disks too."""
    return rvtools_workbook(
        [
            rvtools_vm("web-01", **NO_STORAGE),
            rvtools_vm("db-01"),  # 120 GB provisioned, 60 GB in use
            rvtools_vm("tmpl-w2019", Template=True, **NO_STORAGE),
        ],
        vdisk=[
            vdisk_row("web-01", 1, 102400),  # row 2, then a blank row
            vdisk_row("web-01", 2, 20480),  # row 4
            vdisk_row("db-01", 1, 512000),
            vdisk_row("tmpl-w2019", 1, 40960, template=True),
            vdisk_row("ghost-01", 1, 40960),  # row 7
            vdisk_row("ghost-01", 2, 40960),
        ],
        vpartition=[
            vpartition_row("web-01", "C:\\", 102400, 30720),
            vpartition_row("web-01", "D:\\", 20480, 10240),
            vpartition_row("ghost-01", "/", 40960, 2048),
        ],
    )


def test_storage_missing_from_vinfo_is_summed_from_the_vm_disks_and_partitions(db, tenant):
    preview = preview_import(estate(), "rvtools.xlsx")
    assert {
        "sheet 'vDisk' gives provisioned storage (summed per VM) where a vInfo row lacks it"
        " (read at import)",
        "sheet 'vPartition' gives storage in use (summed per VM) where a vInfo row lacks it"
        " (read at import)",
    } <= set(preview.notes)

    report = in_uow(db, tenant, import_assets, estate(), "rvtools.xlsx")

    assets = assets_by_name(db)
    web = assets["web-01"]
    assert web.storage_gb == 120.0  # 100 GiB + 20 GiB of disks
    assert web.custom_attributes["storage_used_gb"] == 40.0  # 30 GiB + 10 GiB consumed
    assert report.row_notes == [
        {
            "row": 2,
            "note": "provisioned storage from sheet vDisk (2 disks);"
            " storage in use from sheet vPartition (2 partitions)",
        }
    ]
    sources = {
        field: source
        for (_, field), source in in_uow(
            db, tenant, lambda uow: sources_of(uow).for_assets([web.id])
        ).items()
    }
    assert (sources["storage_gb"].file, sources["storage_gb"].row) == ("rvtools.xlsx [vDisk]", 2)
    assert (sources["cpu_cores"].file, sources["cpu_cores"].row) == ("rvtools.xlsx", 2)


def test_vinfo_values_are_never_replaced_by_the_disk_tabs(db, tenant):
    in_uow(db, tenant, import_assets, estate(), "rvtools.xlsx")

    database = assets_by_name(db)["db-01"]
    assert database.storage_gb == 120.0  # vInfo's, not the 500 GiB disk
    assert database.custom_attributes["storage_used_gb"] == 60


def test_a_vm_only_on_the_disk_tabs_is_ignored_and_reported_once_and_templates_stay_out(db, tenant):
    report = in_uow(db, tenant, import_assets, estate(), "rvtools.xlsx")

    assert set(assets_by_name(db)) == {"web-01", "db-01"}
    assert report.skipped == [
        {"row": 4, "column": "template", "value": "True", "reason": "template"},
        {
            "row": 7,
            "column": "VM",
            "value": "ghost-01",
            "reason": "sheet vDisk: no such VM in vInfo, its rows are ignored",
        },
    ]
    again = in_uow(db, tenant, import_assets, estate(), "rvtools.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_vinfo_without_storage_columns_gets_them_from_vdisk(db, tenant):
    kept = [i for i, h in enumerate(RVTOOLS_VINFO) if h not in NO_STORAGE]
    header = [RVTOOLS_VINFO[i] for i in kept]
    rows = [[rvtools_vm(name)[i] for i in kept] for name in ("web-01", "app-01")]
    content = rvtools_workbook(rows, vdisk=[vdisk_row("web-01", 1, 61440)], vinfo_header=header)

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    assets = assets_by_name(db)
    assert (assets["web-01"].storage_gb, assets["app-01"].storage_gb) == (60.0, None)
    assert "storage_used_gb" not in assets["web-01"].custom_attributes  # no vPartition tab
    assert report.row_notes == [{"row": 2, "note": "provisioned storage from sheet vDisk (1 disk)"}]


def test_a_disk_size_that_is_no_number_leaves_the_storage_empty_and_says_why(db, tenant):
    content = rvtools_workbook(
        [rvtools_vm("web-01", **NO_STORAGE)],
        vdisk=[vdisk_row("web-01", 1, 102400), vdisk_row("web-01", 2, "lots")],
    )

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    assert assets_by_name(db)["web-01"].storage_gb is None
    [note] = report.row_notes
    assert note["note"].startswith("provisioned storage not taken from sheet vDisk (row 4: ")


def test_a_workbook_whose_vinfo_has_every_value_never_reads_the_disk_tabs(db, tenant):
    # One disk: its size is the provisioned storage, no need for vDisk's rows.
    content = rvtools_workbook(
        [rvtools_vm("web-01", Disks=1)], vdisk=[vdisk_row("ghost-01", 1, "not read")]
    )

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    assert assets_by_name(db)["web-01"].storage_gb == 120.0
    assert (report.skipped, report.row_notes) == ([], [])


def test_a_workbook_without_the_disk_tabs_imports_as_before(db, tenant):
    content = rvtools_workbook([rvtools_vm("web-01", **NO_STORAGE)])

    report = in_uow(db, tenant, import_assets, content, "rvtools.xlsx")

    web = assets_by_name(db)["web-01"]
    assert (web.storage_gb, web.custom_attributes.get("storage_used_gb")) == (None, None)
    assert (report.created, report.skipped, report.row_notes) == (1, [], [])
    assert not any("summed per VM" in note for note in preview_import(content, "r.xlsx").notes)


def test_a_disk_tab_naming_more_vms_than_the_row_limit_is_refused_and_nothing_written(db, tenant):
    content = rvtools_workbook(
        [rvtools_vm("web-01", **NO_STORAGE), rvtools_vm("web-02")],
        vdisk=[vdisk_row(f"vm-{index}", 1, 1024) for index in range(3)],
    )

    with pytest.raises(BadRequest, match="sheet 'vDisk' names more than 2 VMs"):
        in_uow(db, tenant, import_assets, content, "rvtools.xlsx", max_rows=2)

    assert assets_by_name(db) == {}
