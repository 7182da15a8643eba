"""Workbooks built to cost memory or time in ways other than size: elements nested millions
deep, one long shared string used by every row, rows reaching Excel's last column, and a
workbook's shared strings read once however many times a page reads the file.

The big bombs are read in a subprocess whose peak memory is measured (tests.measured).
"""

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

import core.inventory.xlsx_shared_strings
from core.inventory.files import read_table
from core.inventory.importer import import_assets, preview_import
from core.inventory.upload_memo import UploadMemo
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.test_files import (  # noqa: F401 - a fixture
    MB,
    PEAK_RSS_LIMIT_MB,
    configure,
    read_in_subprocess,
)
from tests.core.inventory_files import to_csv
from tests.core.workbook_bombs import (
    DOC_RELS,
    MAIN,
    RELS,
    huge_shared_string,
    huge_text,
    inventory_rows,
    nested_cell_sheet,
    nested_part,
    one_shared_string_in_every_row,
    row,
    sheet,
    wide_rows,
    write_xlsx,
)
from tests.factories import in_uow

TOO_DEEP = "nests elements more than 32 deep"


def count_assets(db) -> int:
    return db.scalar(select(func.count()).select_from(Asset))


@pytest.fixture(scope="module")
def nested_bomb(tmp_path_factory) -> Path:
    """8 million nested elements in one cell of a 0.5 MB workbook (56 MB of XML, compressed
    about 120 to 1: under the ratio refused from the zip's directory alone)."""
    path = tmp_path_factory.mktemp("nested") / "nested.xlsx"
    return write_xlsx(path, nested_cell_sheet(8_000_000), level=9)


@pytest.mark.parametrize("mode", ["preview", "rows"])
def test_a_cell_of_8_million_nested_elements_is_refused_early_in_little_memory(nested_bomb, mode):
    info = zipfile.ZipFile(nested_bomb).getinfo("xl/worksheets/sheet1.xml")
    assert nested_bomb.stat().st_size < MB and info.file_size / info.compress_size < 200
    measured = read_in_subprocess(mode, nested_bomb)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert measured.stdout.startswith(f"sheet 'Inventory' {TOO_DEEP}")
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB  # 2 GB before the nesting was bounded


def _with_parts(path: Path, parts: dict[str, bytes]) -> bytes:
    """The workbook at `path` with these parts replaced or added."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


DEEP = 100
WITH_STYLES = f"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{DOC_RELS}/styles" Target="styles.xml"/>
</Relationships>""".encode()
SHEET_START = f'<worksheet xmlns="{MAIN}">'.encode()
ROWS = row(1, "Hostname") + row(2, "host-2")
NESTED = b"<a>" * DEEP + b"</a>" * DEEP
# Where the nesting is -> the parts it is in, and the part the refusal names.
NESTED_PARTS = {
    "shared strings": (
        {"xl/sharedStrings.xml": nested_part(f'sst xmlns="{MAIN}"'.encode(), DEEP)},
        "the workbook's shared-string table",
    ),
    "styles": (
        {
            "xl/_rels/workbook.xml.rels": WITH_STYLES,
            "xl/styles.xml": nested_part(f'styleSheet xmlns="{MAIN}"'.encode(), DEEP),
        },
        "xl/styles.xml",
    ),
    "workbook": (
        {"xl/workbook.xml": nested_part(f'workbook xmlns="{MAIN}"'.encode(), DEEP)},
        "xl/workbook.xml",
    ),
    "workbook relationships": (
        {"xl/_rels/workbook.xml.rels": nested_part(f'Relationships xmlns="{RELS}"'.encode(), DEEP)},
        "xl/_rels/workbook.xml.rels",
    ),
    "package relationships": (
        {"_rels/.rels": nested_part(f'Relationships xmlns="{RELS}"'.encode(), DEEP)},
        "_rels/.rels",
    ),
    "sheet, before its rows": (
        {
            "xl/worksheets/sheet1.xml": SHEET_START
            + b"<sheetPr>"
            + NESTED
            + b"</sheetPr><sheetData>"
            + ROWS
            + b"</sheetData></worksheet>"
        },
        "sheet 'Inventory'",
    ),
    "sheet, a plain row": (
        {
            "xl/worksheets/sheet1.xml": SHEET_START
            + b"<sheetData>"
            + ROWS
            + b'<row r="3"><c r="A3">'
            + NESTED
            + b"</c></row></sheetData></worksheet>"
        },
        "sheet 'Inventory'",
    ),
    "sheet, after its rows": (
        {
            "xl/worksheets/sheet1.xml": SHEET_START
            + b"<sheetData>"
            + ROWS
            + b"</sheetData><extLst>"
            + NESTED
            + b"</extLst></worksheet>"
        },
        "sheet 'Inventory'",
    ),
    "sheet read by expat": (  # a prefixed root: no row is read by pattern
        {
            "xl/worksheets/sheet1.xml": f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'.encode()
            + b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Hostname</x:t></x:is></x:c>'
            + NESTED
            + b"</x:row></x:sheetData></x:worksheet>"
        },
        "sheet 'Inventory'",
    ),
}


@pytest.mark.parametrize("where", list(NESTED_PARTS))
def test_elements_nested_too_deep_in_any_part_are_a_400_naming_it(tmp_path, where):
    parts, named = NESTED_PARTS[where]
    plain = write_xlsx(tmp_path / "plain.xlsx", sheet(inventory_rows(3)), [b"<si><t>x</t></si>"])
    content = _with_parts(plain, parts)
    with pytest.raises(BadRequest, match=f"^{named} {TOO_DEEP}"):
        list(read_table(content, "nested.xlsx").rows())


def test_nesting_as_deep_as_workbooks_go_is_read(tmp_path):
    # Rich text with phonetic runs: worksheet, sheetData, row, c, is, r, t and rPh, t.
    rich = (
        b'<c r="B2" t="inlineStr"><is><r><rPr><b/></rPr><t>fast</t></r>'
        b'<rPh sb="0" eb="1"><t>ph</t></rPh></is></c>'
    )
    path = write_xlsx(
        tmp_path / "rich.xlsx", sheet([row(1, "Hostname", "Notes"), row(2, "h", rich)])
    )
    assert list(read_table(path.read_bytes(), path.name).rows()) == [(2, ["h", "fast"])]


def test_one_long_shared_string_in_every_row_counts_against_what_a_sheet_unpacks(tmp_path):
    # 20,000 rows each referring to one 100,000-character string: 2 GB of text from 0.2 MB.
    path = write_xlsx(
        tmp_path / "repeated.xlsx",
        one_shared_string_in_every_row(20_000),
        huge_shared_string(100_000),
    )
    assert path.stat().st_size < MB
    measured = read_in_subprocess("rows", path)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert measured.stdout.startswith(
        "sheet 'Inventory' unpacks to more than 256 MB counting the shared strings its cells repeat"
    )
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_a_report_keeps_an_excerpt_of_a_long_value_not_the_value(db, tenant, tmp_path):
    path = write_xlsx(
        tmp_path / "repeated.xlsx",
        one_shared_string_in_every_row(300),  # 30 MB of text: under the limit
        huge_shared_string(100_000),
    )
    long_text = b"".join(huge_text(100_000)).decode()
    report = in_uow(db, tenant, import_assets, path.read_bytes(), path.name)
    assert len(report.skipped) == 300 and count_assets(db) == 0
    for entry in report.skipped:
        assert entry["column"] == "vCPU"
        assert entry["value"] == f"{long_text[:200]}… (100,000 characters)"


@pytest.mark.parametrize(
    "rows",
    [
        [row(1, "Hostname", "vCPU"), row(2, "host-2", b'<c r="XFD2"><v>1</v></c>')],  # by pattern
        [row(1, "Hostname"), row(2, "host-2", b'<c r="XFD2"><f>1+1</f><v>2</v></c>')],  # expat
    ],
    ids=["plain row", "row with a formula"],
)
def test_a_workbook_cell_past_the_column_limit_is_a_400_naming_the_setting(tmp_path, rows):
    path = write_xlsx(tmp_path / "wide.xlsx", sheet(rows))
    with pytest.raises(BadRequest) as refused:
        list(read_table(path.read_bytes(), path.name).rows())
    assert refused.value.message.startswith(
        "sheet 'Inventory', cell XFD2, lies past column 1,000; at most 1,000 columns can be"
        " imported (the IMPORT_MAX_COLUMNS setting)"
    )


def test_twenty_thousand_rows_reaching_excels_last_column_are_refused_at_the_first(tmp_path):
    path = write_xlsx(tmp_path / "wide.xlsx", wide_rows(20_000))
    measured = read_in_subprocess("preview", path)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert "cell XFD2, lies past column 1,000" in measured.stdout


def test_the_column_limit_is_a_setting(db, tenant, tmp_path, configure):  # noqa: F811
    configure(import_max_columns=3)
    narrow = to_csv(["name", "a", "b"], [["h1", "1", "2"]])
    assert len(preview_import(narrow, "narrow.csv").sample_rows) == 1
    wide_csv = to_csv(["name", "a", "b", "c"], [["h1", "1", "2", "3"]])
    with pytest.raises(BadRequest, match=r"^row 1, cell 4, lies past column 3; at most 3"):
        in_uow(db, tenant, import_assets, wide_csv, "wide.csv")
    plain = write_xlsx(tmp_path / "w.xlsx", sheet([row(1, "Hostname", "a", "b", "c")]))
    with pytest.raises(BadRequest, match=r"cell D1, lies past column 3; at most 3"):
        preview_import(plain.read_bytes(), "w.xlsx")
    assert count_assets(db) == 0


def test_a_csv_of_10_000_columns_is_refused_at_its_header(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_bytes(to_csv(["name", *map(str, range(9_999))], [["h", *"1" * 9_999]] * 2000))
    measured = read_in_subprocess("preview", path)
    assert measured.returncode == 3, measured.stderr[-2000:]
    assert measured.stdout.startswith("row 1, cell 1,001, lies past column 1,000")
    assert measured.peak_rss_mb < PEAK_RSS_LIMIT_MB


@pytest.fixture
def shared_strings_reads(monkeypatch) -> list[int]:
    """Every read of a workbook's shared-string table, counted (the reading itself is real)."""
    reads: list[int] = []
    read = core.inventory.xlsx_shared_strings.read_shared_strings

    def counted(*args, **kwargs):
        reads.append(1)
        return read(*args, **kwargs)

    monkeypatch.setattr(core.inventory.xlsx_shared_strings, "read_shared_strings", counted)
    return reads


def test_previews_and_the_import_of_one_file_read_its_shared_strings_once(
    db, tenant, tmp_path, shared_strings_reads
):
    strings = [f"<si><t>cluster-{index}</t></si>".encode() for index in range(50)]
    rows = [row(1, "Hostname", "Cluster")]
    rows += [
        row(n, f"h{n}", f'<c r="B{n}" t="s"><v>{n % 50}</v></c>'.encode()) for n in range(2, 40)
    ]
    content = write_xlsx(tmp_path / "s.xlsx", sheet(rows), strings).read_bytes()
    memo = UploadMemo()
    for _ in range(3):
        assert preview_import(content, "s.xlsx", memo=memo).sample_rows[0]["Cluster"] == "cluster-2"
    report = in_uow(db, tenant, import_assets, content, "s.xlsx", memo=memo)
    assert report.created == 38
    assert len(shared_strings_reads) == 1
    preview_import(content, "s.xlsx")  # without a memo: read again
    assert len(shared_strings_reads) == 2


def test_a_memo_given_another_workbook_reads_that_workbooks_strings(tmp_path):
    memo = UploadMemo()
    for name in ("first", "second"):
        rows = [row(1, "Hostname"), row(2, b'<c r="A2" t="s"><v>0</v></c>')]
        path = write_xlsx(
            tmp_path / f"{name}.xlsx", sheet(rows), [f"<si><t>{name}</t></si>".encode()]
        )
        table = read_table(path.read_bytes(), path.name, memo=memo)
        assert list(table.rows()) == [(2, [name])]
