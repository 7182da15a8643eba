"""Rows told apart by a chosen key; a time series reported once, not as duplicates."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from core.inventory.importer import import_assets
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import csv_bytes
from tests.factories import in_uow

pytestmark = pytest.mark.both_backends

# The Snipe-IT asset import template: names repeat (models), the asset tag is unique.
SNIPE_IT_HEADER = [
    "Asset Tag", "Name", "Category", "Model name", "Serial number", "Location", "Purchase Date",
]  # fmt: skip


def snipe_it_rows() -> list[list[str]]:
    rows = []
    for index in range(22):
        name = "Dell Latitude 5420" if index < 12 else f"Laptop {index:02d}"
        bought = f"2023-{index % 12 + 1:02d}-15"  # a fact's date: these are no time series
        tag, serial = f"ASSET-{index:04d}", f"SN{index:06d}"
        rows.append([tag, name, "Laptops", "Latitude 5420", serial, "HQ", bought])
    return rows


def names(db) -> list[str]:
    db.expire_all()
    return sorted(db.scalars(select(Asset.name)))


def test_by_default_repeated_names_are_duplicates(db, tenant):
    report = in_uow(db, tenant, import_assets, csv_bytes(SNIPE_IT_HEADER, snipe_it_rows()), "a.csv")
    assert (report.created, len(report.skipped)) == (11, 11)
    assert report.skipped[0]["reason"] == "duplicate name 'Dell Latitude 5420' (first on row 2)"


def test_an_asset_tag_key_imports_every_row_and_reimports_unchanged(db, tenant):
    content = csv_bytes(SNIPE_IT_HEADER, snipe_it_rows())
    report = in_uow(db, tenant, import_assets, content, "a.csv", key="Asset Tag")
    assert (report.created, report.skipped) == (22, [])
    stored = names(db)
    assert "Dell Latitude 5420 (ASSET-0000)" in stored and "Laptop 12" in stored
    again = in_uow(db, tenant, import_assets, content, "a.csv", key="asset_tag")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 22)


def test_name_and_datacenter_tell_apart_vms_of_one_name_in_two_places(db, tenant):
    header = ["VM Name", "Datacenter", "vCPU"]
    rows = [["web-01", "DC1", "2"], ["web-01", "DC2", "4"], ["db-01", "DC1", "8"],
            ["db-01", "DC1", "8"]]  # fmt: skip
    content = csv_bytes(header, rows)
    report = in_uow(db, tenant, import_assets, content, "a.csv", key="name+datacenter")
    assert report.created == 2 + 1
    assert [(e["row"], e["reason"]) for e in report.skipped] == [
        (5, "duplicate key 'db-01 / DC1' (first on row 4)")
    ]
    assert names(db) == ["db-01 (DC1)", "web-01 (DC1)", "web-01 (DC2)"]


def test_a_key_column_the_file_lacks_is_refused_before_anything_changes(db, tenant):
    with pytest.raises(BadRequest, match="no column 'VM UUID'"):
        in_uow(db, tenant, import_assets, csv_bytes(["Name"], [["a"]]), "a.csv", key="VM UUID")
    assert names(db) == []


def test_an_empty_key_skips_its_row_saying_so(db, tenant):
    content = csv_bytes(["Name", "FQDN"], [["a", "a.corp"], ["b", ""]])
    report = in_uow(db, tenant, import_assets, content, "a.csv", key="FQDN")
    assert report.skipped == [
        {"row": 3, "column": "FQDN", "value": "", "reason": "no key: the column 'FQDN' is empty"}
    ]


def test_a_time_series_of_one_vm_is_reported_once(db, tenant):
    start = datetime(2024, 5, 1)
    rows = [
        ["vm-01", (start + timedelta(hours=hour)).isoformat(sep=" "), str(10 + hour % 50)]
        for hour in range(168)
    ]
    rows.append(["vm-02", start.isoformat(sep=" "), "5"])
    content = csv_bytes(["VM", "Timestamp", "CPU usage %"], rows)
    report = in_uow(db, tenant, import_assets, content, "perf.csv")
    assert (report.rows, report.created) == (169, 2)
    assert report.skipped == [
        {
            "row": 2,
            "column": "name",
            "value": "vm-01",
            "reason": "time series: 168 rows of 'vm-01' from 2024-05-01 00:00:00 to"
            " 2024-05-07 23:00:00; the first row was imported",
        }
    ]
