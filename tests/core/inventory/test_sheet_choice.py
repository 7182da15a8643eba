"""A workbook of many sheets is read from the sheet whose rows are servers, chosen by the
columns the profile reads (cores, memory, OS, a machine id) and named in the preview and the
report; a person may name the sheet; when no sheet is clearly the servers, nothing is read and
the sheets are listed with their row counts."""

import pytest
from sqlalchemy import select

from core.inventory.importer import import_assets, preview_import
from core.inventory.preview import workbook_sheets
from core.inventory.sheet_choice import SheetCandidate, choose_sheet
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.assessment_workbooks import workbook_of
from tests.factories import in_uow

CONTACTS = [["Name", "Email", "Phone"], ["Dana Ortiz", "dana@example.com", "555-0101"]]
SERVERS = [
    ["Hostname", "CPUs", "RAM (MB)", "Operating System", "Serial Number"],
    ["web-01", 4, 16384, "Windows Server 2019", "VMW-1"],
    ["db-01", 8, 65536, "Red Hat Enterprise Linux 8", "VMW-2"],
]


def test_the_sheet_whose_columns_are_a_servers_is_read_and_named(db, tenant):
    content = workbook_of({"Contacts": CONTACTS, "Servers": SERVERS})

    preview = preview_import(content, "estate.xlsx")
    assert preview.sheet == "Servers" and preview.sheets == ["Contacts", "Servers"]
    assert (
        "servers read from sheet 'Servers': its rows are servers (cores, memory, OS,"
        " machine id); 1 other sheet with a name column holds fewer" in preview.notes
    )
    report = in_uow(db, tenant, import_assets, content, "estate.xlsx")

    assert (report.sheet, report.created) == ("Servers", 2)
    assert report.sheet_choice.startswith("sheet 'Servers': its rows are servers")
    assert sorted(db.scalars(select(Asset.name))) == ["db-01", "web-01"]


def test_two_sheets_of_servers_alike_are_refused_with_their_rows_until_one_is_named(db, tenant):
    more = [*SERVERS, ["app-01", 2, 8192, "Ubuntu 22.04", "VMW-3"]]
    content = workbook_of({"Site A": SERVERS, "Site B": more, "Contacts": CONTACTS})

    with pytest.raises(BadRequest) as refused:
        in_uow(db, tenant, import_assets, content, "estate.xlsx")
    assert refused.value.message == (
        "no sheet is clearly the servers: choose one of 'Site A' (2 rows); 'Site B' (3 rows);"
        " 'Contacts' (1 row) (--sheet NAME, or the sheet picker on the Import page)"
    )
    assert db.scalars(select(Asset)).all() == []

    report = in_uow(db, tenant, import_assets, content, "estate.xlsx", sheet=" site b ")
    assert (report.sheet, report.sheet_choice, report.created) == (
        "Site B",
        "sheet 'Site B': chosen",
        3,
    )
    with pytest.raises(BadRequest, match="the workbook has no sheet 'Site C': its sheets are"):
        preview_import(content, "estate.xlsx", sheet="Site C")


def test_the_sheet_list_for_the_picker():
    assert workbook_sheets(workbook_of({"A": CONTACTS, "B": SERVERS})) == ["A", "B"]
    assert workbook_sheets(b"Hostname\r\nweb-01\r\n") == []


def test_the_choice_in_words():
    servers = SheetCandidate("VMs", ("cores", "memory", "OS"), False)
    apps = SheetCandidate("Apps", (), False)
    assert choose_sheet([apps, servers])[0] is servers
    assert choose_sheet([apps, SheetCandidate("Owners", (), False)]) == (None, "")
    assert choose_sheet([apps]) == (apps, "sheet 'Apps': the only sheet with a name column")
    vinfo = SheetCandidate("vInfo", ("cores",), True)
    assert choose_sheet([vinfo, servers])[0] is vinfo
