"""Inventory files are read as a stream under hard limits; mixed encodings are read and named.

The bombs are built here, small on disk. The big ones are read in a subprocess whose peak
memory is measured (its address space is capped, so a reader that falls for one fails rather
than taking the machine's memory with it).
"""

import io
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.rich_text import CellRichText
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from sqlalchemy import func, select

from config.settings import get_settings
from core.inventory.files import read_table
from core.inventory.importer import import_assets, preview_import
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory_files import to_csv
from tests.core.workbook_bombs import (
    huge_inline_cell,
    huge_shared_string,
    huge_text,
    inventory_rows,
    row,
    shared_cell_sheet,
    sheet,
    write_xlsx,
)
from tests.factories import in_uow
from tests.measured import run_measured

MB = 2**20
PEAK_RSS_LIMIT_MB = 300
# What the import does before it writes anything: read the file, then count its rows.
READ = """
import sys
from core.inventory.importer import preview_import
from core.kernel.errors import BadRequest
from core.inventory.files import read_table
from core.inventory.files import read_table
mode, path = sys.argv[1], sys.argv[2]
content = open(path, "rb").read()
try:
    if mode == "preview":
        preview_import(content, path)
    else:
        sum(1 for _ in read_table(content, path).rows())
except BadRequest as error:
    print(error.message)
    sys.exit(3)
"""


@pytest.fixture
def configure(monkeypatch):
    """Sets import limits as an operator would (environment), for this test only."""

    def configure(**limits: int) -> None:
        for name, value in limits.items():
            monkeypatch.setenv(name.upper(), str(value))
        get_settings.cache_clear()

    yield configure
    monkeypatch.undo()
    get_settings.cache_clear()


def count_assets(db) -> int:
    return db.scalar(select(func.count()).select_from(Asset))


def read_in_subprocess(mode: str, path: Path, **env: str):
    measured = run_measured(["-c", READ, mode, str(path)], env=env, timeout=240)
    print(
        f"{path.name} {mode}: {path.stat().st_size / MB:.1f} MB on disk, exit"
        f" {measured.returncode}, peak RSS {measured.peak_rss_mb:.0f} MB, {measured.seconds:.1f} s"
    )
    return measured


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    """400 MB of one cell in a few MB of zip: plain (about 1000 to 1, like the 409 KB file of
    the report), and varied enough to pass a ratio check (about 120 to 1), inline or shared."""
    folder = tmp_path_factory.mktemp("bombs")
    return {
        "plain": write_xlsx(folder / "plain.xlsx", huge_inline_cell(400 * MB, varied=False)),
        "inline": write_xlsx(folder / "inline.xlsx", huge_inline_cell(400 * MB), level=1),
        "shared strings": write_xlsx(
            folder / "shared.xlsx", shared_cell_sheet(), huge_shared_string(400 * MB), level=1
        ),
    }


RAISED_SIZE_LIMITS = {
    "IMPORT_MAX_UNPACKED_BYTES": str(2**30),
    "IMPORT_MAX_SHARED_STRINGS_BYTES": str(2**30),
}


@pytest.mark.parametrize("mode", ["preview", "rows"])
@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "sheet 'Inventory' unpacks to more than 256 MB"),
        (RAISED_SIZE_LIMITS, "sheet 'Inventory' is compressed more than 200 to 1"),
    ],
    ids=["declared size", "compression ratio"],
)
def test_a_workbook_whose_one_cell_unpacks_to_400_mb_is_refused_from_the_zip_directory(
    bombs, mode, env, message
):
    path = bombs["plain"]
    assert path.stat().st_size < MB
    measured = read_in_subprocess(mode, path, **env)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert measured.stdout.startswith(message)
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB


@pytest.mark.parametrize("mode", ["preview", "rows"])
@pytest.mark.parametrize("where", ["inline", "shared strings"])
def test_a_400_mb_cell_that_compresses_like_text_is_refused_while_it_is_read(bombs, mode, where):
    path = bombs[where]
    part = "xl/worksheets/sheet1.xml" if where == "inline" else "xl/sharedStrings.xml"
    info = zipfile.ZipFile(path).getinfo(part)
    assert info.file_size > 400 * MB and info.file_size / info.compress_size < 200
    # Even with the size limits raised past the bomb, the cell limit stops it while reading.
    measured = read_in_subprocess(mode, path, **RAISED_SIZE_LIMITS)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert "holds more than 100,000 characters" in measured.stdout
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_a_sheet_over_the_row_limit_is_refused_at_the_limit(tmp_path):
    path = write_xlsx(tmp_path / "rows.xlsx", sheet(inventory_rows(300_000)))
    measured = read_in_subprocess("rows", path, IMPORT_MAX_ROWS="1000")
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert measured.stdout.startswith("the file holds more than 1,000 rows; at most 1,000")
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_cells_without_a_reference_stop_at_excels_last_column(tmp_path, configure):
    configure(import_max_columns=16_384)
    unnamed_cells = [b"<c><v>1</v></c>"] * 16_385
    path = write_xlsx(tmp_path / "wide.xlsx", sheet([row(1, "Hostname"), row(2, *unnamed_cells)]))
    with pytest.raises(BadRequest, match="row 2 has cells past Excel's columns"):
        list(read_table(path.read_bytes(), path.name).rows())


def test_a_preview_reads_only_the_rows_it_shows(db, tenant, tmp_path):
    # Row 50 holds a value no reader can take: the preview stops long before it.
    rows = [*inventory_rows(40), row(50, "host-50", b'<c r="B50"><v>not a number</v></c>')]
    content = write_xlsx(tmp_path / "late.xlsx", sheet(rows)).read_bytes()
    preview = preview_import(content, "late.xlsx", sample_rows=5)
    assert [sample["Hostname"] for sample in preview.sample_rows] == [
        "host-2", "host-3", "host-4", "host-5", "host-6",
    ]  # fmt: skip
    assert preview.row_count is None  # more rows follow: the import counts them
    with pytest.raises(BadRequest, match="cell B50 holds 'not a number' where a number belongs"):
        in_uow(db, tenant, import_assets, content, "late.xlsx")

    csv_content = to_csv(["name", "notes"], [["a", "x"]] * 30 + [["b", "y" * 200_000]])
    preview = preview_import(csv_content, "late.csv", sample_rows=20)
    assert len(preview.sample_rows) == 20 and preview.row_count is None
    with pytest.raises(BadRequest, match="row 32 cannot be read"):
        in_uow(db, tenant, import_assets, csv_content, "late.csv")
    assert count_assets(db) == 0


def test_what_a_workbook_unpacks_to_is_limited(db, tenant, tmp_path, configure):
    configure(import_max_unpacked_bytes=MB)
    content = write_xlsx(tmp_path / "wide.xlsx", sheet(inventory_rows(50_000))).read_bytes()
    assert len(content) < MB
    with pytest.raises(BadRequest, match="unpacks to more than 1 MB"):
        preview_import(content, "wide.xlsx")
    with pytest.raises(BadRequest, match="unpacks to more than 1 MB"):
        in_uow(db, tenant, import_assets, content, "wide.xlsx")
    assert count_assets(db) == 0


@pytest.mark.parametrize("where", ["inline", "shared strings", "csv"])
def test_a_cell_over_the_cell_limit_is_a_400_naming_where_it_is(
    db, tenant, tmp_path, configure, where
):
    configure(import_max_cell_chars=1000)
    long_text = b"".join(huge_text(5000)).decode()
    if where == "inline":
        path = write_xlsx(tmp_path / "a.xlsx", sheet([*inventory_rows(2), row(4, "x", long_text)]))
        content, name, message = path.read_bytes(), "a.xlsx", "cell B4 holds more than 1,000"
    elif where == "shared strings":
        strings = [b"<si><t>" + long_text.encode() + b"</t></si>"]
        path = write_xlsx(tmp_path / "a.xlsx", shared_cell_sheet(), strings)
        content, name, message = (
            path.read_bytes(),
            "a.xlsx",
            "shared string 0 holds more than 1,000",
        )
    else:
        content = to_csv(["name", "notes"], [["a", "short"], ["b", long_text]])
        name, message = "a.csv", "row 3 cannot be read: a cell holds more than 1,000 characters"
    with pytest.raises(BadRequest, match=message):
        in_uow(db, tenant, import_assets, content, name)
    assert count_assets(db) == 0


def test_a_csv_over_the_file_size_limit_is_refused_before_it_is_read(db, tenant, configure):
    configure(import_max_file_bytes=10_000)
    content = to_csv(["name"], [[f"host-{index}"] for index in range(2000)])
    with pytest.raises(BadRequest, match="the file is 0.02 MB; at most 0.01 MB can be imported"):
        preview_import(content, "big.csv")
    with pytest.raises(BadRequest, match="at most 0.01 MB"):
        in_uow(db, tenant, import_assets, content, "big.csv")


def test_a_csv_line_or_run_of_blank_lines_past_the_limits_is_a_400(db, tenant, configure):
    one_long_line = b"name,notes\n" + b"x," * 5_000_000 + b"\n"
    with pytest.raises(BadRequest, match="line 2 is longer than 8 MB"):
        in_uow(db, tenant, import_assets, one_long_line, "wide.csv")
    configure(import_max_rows=10)
    blank_lines = b"name\nfirst\n" + b"\n" * 1_100_000 + b"last\n"
    with pytest.raises(BadRequest, match="more than 1,048,586 rows counting blank ones"):
        in_uow(db, tenant, import_assets, blank_lines, "blank.csv")
    assert count_assets(db) == 0


MIXED = (
    b"Hostname;Location;Owner\r\n"
    + "srv-1;München;Zoë\r\n".encode()
    + "srv-2;Köln;Müller\r\n".encode("cp1252")
    + "srv-3;Zürich;\r\n".encode()
    + "srv-4;Genève;François\r\n".encode("cp1252")
)


def test_a_csv_mixing_utf8_and_cp1252_lines_reads_each_right_and_names_the_cp1252_rows(db, tenant):
    preview = preview_import(MIXED, "mixed.csv")
    assert [sample["Location"] for sample in preview.sample_rows] == [
        "München", "Köln", "Zürich", "Genève",
    ]  # fmt: skip
    assert any("rows 3 and 5 are not valid UTF-8" in note for note in preview.notes)

    report = in_uow(db, tenant, import_assets, MIXED, "mixed.csv")
    assert report.created == 4
    assert report.row_notes == [
        {"row": 3, "note": "not valid UTF-8, read as Windows-1252"},
        {"row": 5, "note": "not valid UTF-8, read as Windows-1252"},
    ]
    db.expire_all()
    stored = dict(db.execute(select(Asset.name, Asset.custom_attributes)).all())
    assert stored["srv-1"]["location"] == "München"
    assert stored["srv-2"]["location"] == "Köln"
    assert stored["srv-4"]["location"] == "Genève"


def test_a_file_in_one_encoding_has_no_row_notes(db, tenant):
    for encoding in ("utf-8", "cp1252"):
        content = to_csv(["Hostname", "Location"], [["srv-1", "München"]], encoding=encoding)
        report = in_uow(db, tenant, import_assets, content, f"{encoding}.csv")
        assert report.row_notes == []


@pytest.mark.parametrize("epoch", ["1900", "1904"])
def test_workbook_cells_read_as_openpyxl_reads_them(epoch):
    workbook = Workbook()
    if epoch == "1904":
        workbook.epoch = CALENDAR_MAC_1904
    sheet_ = workbook.active
    sheet_.append(["Inventory export"])
    sheet_.append(["Hostname", "Cores", "RAM", "Go-live", "Checked", "Backup", "Up", "Owner"])
    sheet_.append(["a-1", 4, 15.5, date(2027, 1, 31), True, time(2, 30), timedelta(hours=30)])
    sheet_.append(["a-2", 10**12, -0.25, datetime(2024, 5, 6, 7, 8, 9), False, None, None, "Zoë"])
    sheet_.append([])
    sheet_.append(["a-3", "=1+1", "1e3", "N/A", None, None, None, CellRichText("Dana ", "Ortiz")])
    sheet_["F3"].number_format = "hh:mm"
    sheet_["G3"].number_format = "[h]:mm:ss"
    sheet_["C4"].number_format = "0.00%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    content = buffer.getvalue()

    expected = list(
        load_workbook(io.BytesIO(content), read_only=True, data_only=True).active.iter_rows(
            values_only=True
        )
    )
    table = read_table(content, "export.xlsx")
    assert table.header_row == 2
    for number, cells in table.rows():
        padded = cells + [None] * (len(expected[number - 1]) - len(cells))
        assert tuple(padded) == expected[number - 1], number
    assert [number for number, _cells in table.rows()] == [3, 4, 6]


def test_shared_rich_error_and_formula_string_cells_read_as_openpyxl_reads_them(tmp_path):
    cells = (
        b'<c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c>'
        b'<c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A2</f><v>host-1</v></c>'
    )
    strings = [
        b"<si><t>host-1</t></si>",
        b'<si><r><t xml:space="preserve">Dana </t></r><r><rPr><b/></rPr><t>Ortiz</t></r>'
        b'<rPh sb="0" eb="1"><t>DANA</t></rPh></si>',
    ]
    rows = [row(1, "Hostname", "Owner", "Check", "Alias"), row(2, cells)]  # raw cells
    content = write_xlsx(tmp_path / "shared.xlsx", sheet(rows), strings).read_bytes()
    expected = list(
        load_workbook(io.BytesIO(content), read_only=True, data_only=True).active.iter_rows(
            values_only=True
        )
    )
    assert expected[1] == ("host-1", "Dana Ortiz", "#N/A", "host-1")
    assert list(read_table(content, "shared.xlsx").rows()) == [(2, list(expected[1]))]
