"""Plain rows read by pattern and every other form read by expat give the same rows."""

import pytest

from core.inventory.files import read_table
from core.kernel.errors import BadRequest
from tests.core.workbook_bombs import MAIN, row, sheet, write_xlsx

HEADER = row(1, "Hostname", "Notes", "vCPU")


def rows_of(tmp_path, sheet_xml) -> list[tuple[int, list]]:
    path = write_xlsx(tmp_path / "sheet.xlsx", sheet_xml)
    return list(read_table(path.read_bytes(), path.name).rows())


def test_rows_of_every_form_read_in_order_with_their_values(tmp_path):
    rows = [
        HEADER,
        row(2, "web-01", "R&D \u00e9quipe", 4),
        b'<row r="3"><c r="A3" t="inlineStr"><is><r><t>db</t></r><r><t>-01</t></r></is></c>'
        b'<c r="C3" s="0" t="n"><v>8</v></c></row>',  # rich text
        b'<row r="4"><c r="A4" t="inlineStr"><is><t>app&#x2D;01</t></is></c>'
        b'<c r="B4" t="inlineStr"><is><t xml:space="preserve"> a\r\nb </t></is></c></row>',
        b'<row><c r="A5" t="inlineStr"><is><t>no-number</t></is></c></row>',  # numbered next
        b'<row r="7" spans="1:3" x14ac:dyDescent="0.25"><c r="A7" t="inlineStr"><is><t>'
        b'web-07</t></is></c><c r="C7"><v>2</v></c></row>',
        b'<row spans="1:3" r="8"><c r="A8" t="inlineStr"><is><t>late-r</t></is></c></row>',
        b'<row r="9"><c r="A9" t="inlineStr"><is><t>formula</t></is></c>'
        b'<c r="C9" t="str"><f>1+1</f><v>2</v></c></row>',
        b'<row r="10"><c r="C10"><v>1</v></c><c r="A10" t="inlineStr"><is><t>back</t></is></c>'
        b"</row>",
        b'<row r="11" />',
        b'<row r="12">\n  <c r="A12" t="inlineStr"><is><t>spaced</t></is></c>\n</row>',
    ]
    sheet_xml = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"'
        ' xmlns:x14ac="urn:x14ac"><dimension ref="A1:C12"/><sheetData>'.encode(),
        *rows,
        b'</sheetData><pageMargins left="0.7"/></worksheet>',
    ]
    assert [(number, cells) for number, cells in rows_of(tmp_path, sheet_xml)] == [
        (2, ["web-01", "R&D \u00e9quipe", 4]),
        (3, ["db-01", None, 8]),
        (4, ["app-01", " a\nb "]),
        (5, ["no-number"]),
        (7, ["web-07", None, 2]),
        (8, ["late-r"]),
        (9, ["formula", None, "2"]),
        (10, ["back", None, 1]),
        (12, ["spaced"]),
    ]


def test_a_sheet_of_prefixed_tags_is_read_by_expat_whole(tmp_path):
    sheet_xml = [
        f'<x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Hostname</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>web-01</x:t></x:is></x:c></x:row>'
        "</x:sheetData></x:worksheet>".encode()
    ]
    assert rows_of(tmp_path, sheet_xml) == [(2, ["web-01"])]


def test_a_plain_sheet_that_is_not_well_formed_is_refused(tmp_path):
    broken = [*sheet([HEADER, row(2, "web-01", "", 1)]), b"</sheetData>"]
    with pytest.raises(BadRequest, match="cannot be read"):
        rows_of(tmp_path, broken)


def test_plain_rows_keep_the_limits(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPORT_MAX_CELL_CHARS", "10")
    from config.settings import get_settings

    get_settings.cache_clear()
    try:
        with pytest.raises(BadRequest, match=r"cell B2 holds more than 10 characters"):
            rows_of(tmp_path, sheet([HEADER, row(2, "web-01", "x" * 11, 1)]))
        with pytest.raises(BadRequest, match="outside Excel's rows"):
            rows_of(tmp_path, sheet([HEADER, row(1_048_577, "web-01")]))
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["sheetData", "prefixed sheetData"])
def test_a_sheet_with_a_long_header_before_its_rows_is_read(tmp_path, prefix):
    # 3,000 column widths (100 KB) before the rows: the header is read, not kept, in chunks.
    columns = b"".join(b'<col min="%d" max="%d" width="12.5"/>' % (n, n) for n in range(1, 3001))
    start, end = f"<{prefix}sheetData>".encode(), f"</{prefix}sheetData>".encode()
    sheet_xml = [
        f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"><cols>'.encode() + columns + b"</cols>",
        start + HEADER + row(2, "web-01", "n", 4) + end + b"</worksheet>",
    ]
    assert rows_of(tmp_path, sheet_xml) == [(2, ["web-01", "n", 4])]
