"""Hand-built .xlsx files that are small on disk and huge unpacked, written as a stream.

Each is a valid workbook (openpyxl reads them), so a reader that refuses one does so for its
size, not for a damaged archive.
"""

import random
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = f"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>
<sheet name="Inventory" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">
<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
CHUNK = 1 << 20


def write_xlsx(
    path: Path, sheet_xml: Iterable[bytes], shared_strings: Iterable[bytes] = (), level: int = 6
) -> Path:
    """A workbook of one sheet "Inventory", its sheet and shared strings streamed into the zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        for name, chunks in (
            ("xl/worksheets/sheet1.xml", sheet_xml),
            ("xl/sharedStrings.xml", _shared_strings_part(shared_strings)),
        ):
            with archive.open(name, "w", force_zip64=True) as part:
                for chunk in chunks:
                    part.write(chunk)
    return path


def sheet(rows: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 1000:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)
    yield b"</sheetData></worksheet>"


def row(number: int, *cells: str | int | bytes) -> bytes:
    """A row of inline strings and numbers; bytes are a cell's raw XML."""
    parts = []
    for column, value in enumerate(cells):
        ref = f"{chr(65 + column)}{number}"
        if isinstance(value, bytes):
            parts.append(value)
        elif isinstance(value, int):
            parts.append(f'<c r="{ref}"><v>{value}</v></c>'.encode())
        else:
            parts.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'.encode())
    return f'<row r="{number}">'.encode() + b"".join(parts) + b"</row>"


def inventory_rows(count: int, start: int = 2) -> Iterator[bytes]:
    yield row(1, "Hostname", "vCPU")
    for number in range(start, start + count):
        yield row(number, f"host-{number}", number % 64 + 1)


def huge_text(chars: int, *, varied: bool = True) -> Iterator[bytes]:
    """`chars` letters "A"; varied: a random other letter every thousand.

    Plain "A"s deflate about 1000 to 1, as the worst bombs do; varied ones about 120 to 1 at
    compression level 1, under the ratio at which a reader may refuse a part from the zip's
    directory alone, so the refusal must come from reading it.
    """
    rng = random.Random(7)
    block = bytearray(b"A" * CHUNK)
    for position in range(0, CHUNK if varied else 0, 1000):
        block[position] = rng.choice(b"BCDEFGHIJKLMNOPQRSTUVWXYZ")
    block = bytes(block)
    for _ in range(chars // CHUNK):
        yield block
    yield block[: chars % CHUNK]


def shared_cell_sheet() -> Iterator[bytes]:
    """A header, one ordinary row, then a row whose second cell is shared string 0."""
    yield from sheet(
        [
            row(1, "Hostname", "Notes"),
            row(2, "ok-1", "short"),
            row(3, "bomb-1", b'<c r="B3" t="s"><v>0</v></c>'),
        ]
    )


def huge_inline_cell(chars: int, *, varied: bool = True) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield row(1, "Hostname", "Notes") + row(2, "ok-1", "short")
    yield b'<row r="3"><c r="A3" t="inlineStr"><is><t>bomb-1</t></is></c>'
    yield b'<c r="B3" t="inlineStr"><is><t>'
    yield from huge_text(chars, varied=varied)
    yield b"</t></is></c></row></sheetData></worksheet>"


def _shared_strings_part(strings: Iterable[bytes]) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    yield from strings
    yield b"</sst>"


def huge_shared_string(chars: int) -> Iterator[bytes]:
    """sharedStrings.xml content: one string of `chars` characters (index 0)."""
    yield b"<si><t>"
    yield from huge_text(chars)
    yield b"</t></si>"


def nested_cell_sheet(depth: int) -> Iterator[bytes]:
    """A header, then a row whose second cell holds `depth` nested elements (a worksheet needs
    about 7 levels). Mostly "<a>", with another letter every 64 levels so that the part stays
    under the compression ratio a reader may refuse from the zip's directory alone."""
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield row(1, "Hostname", "Notes")
    yield b'<row r="2"><c r="A2" t="inlineStr"><is><t>deep-1</t></is></c><c r="B2">'
    rng = random.Random(7)
    names = bytes(
        rng.choice(b"bcdefghijklmnopqrstuvwxyz") if level % 64 == 0 else ord("a")
        for level in range(depth)
    )
    for start in range(0, depth, CHUNK):
        yield b"".join(b"<" + bytes([name]) + b">" for name in names[start : start + CHUNK])
    for start in range(depth, 0, -CHUNK):
        part = names[max(0, start - CHUNK) : start][::-1]
        yield b"".join(b"</" + bytes([name]) + b">" for name in part)
    yield b"</c></row></sheetData></worksheet>"


def nested_part(root: bytes, depth: int) -> bytes:
    """A small part (shared strings, styles, workbook, relationships) whose first element holds
    `depth` nested ones."""
    name = root.split()[0]  # without the attributes
    return b"<" + root + b">" + b"<a>" * depth + b"</a>" * depth + b"</" + name + b">"


def one_shared_string_in_every_row(rows: int) -> Iterator[bytes]:
    """A header, then `rows` rows whose vCPU cell is shared string 0 (not a number: each row
    is skipped, naming the value)."""
    yield from sheet(
        [
            row(1, "Hostname", "vCPU"),
            *(
                row(number, f"host-{number}", f'<c r="B{number}" t="s"><v>0</v></c>'.encode())
                for number in range(2, rows + 2)
            ),
        ]
    )


def wide_rows(rows: int, column: str = "XFD") -> Iterator[bytes]:
    """A header, then `rows` rows each with a cell in `column` (Excel's last is XFD)."""
    yield from sheet(
        [
            row(1, "Hostname", "vCPU"),
            *(
                row(number, f"host-{number}", f'<c r="{column}{number}"><v>1</v></c>'.encode())
                for number in range(2, rows + 2)
            ),
        ]
    )
