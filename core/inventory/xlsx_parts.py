"""The parts of an .xlsx workbook (a zip of XML files), unpacked under the import limits.

Before a part is read, the zip's directory must show it plausible: few parts, a declared size
under the limit, a compression ratio real workbooks have. While it is read, the bytes actually
unpacked are counted and the XML is watched so that expat never has to hold one huge token.
"""

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Generator
from typing import IO
from xml.parsers import expat

from core.inventory.limits import megabytes
from core.kernel.errors import BadRequest

MAX_PARTS = 10_000
MAX_RATIO = 200  # real sheets deflate 5 to 20 times; a run of one byte about 1000 times
RATIO_FROM_BYTES = 2**20  # a small part may compress oddly without harm
MAX_SMALL_PART = 16 * 2**20  # workbook.xml, relationships and styles, which are read whole
# Elements inside one another: a worksheet needs about 7 (worksheet, sheetData, row, c, is, r,
# t), extensions a few more. expat keeps every open element, so 8 million nested ones in a
# 0.35 MB file would take gigabytes before the XML ends.
MAX_DEPTH = 32
CHUNK = 2**16
_END_OF_DIRECTORY = b"PK\x05\x06"
# What zipfile raises on a damaged or unsupported (encrypted, exotic method) part.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
)


def open_archive(content: bytes) -> zipfile.ZipFile:
    # The directory's entry count, before zipfile builds an object for every entry.
    end = content.rfind(_END_OF_DIRECTORY, max(0, len(content) - 22 - 65_535))
    if end >= 0 and int.from_bytes(content[end + 10 : end + 12], "little") > MAX_PARTS:
        raise BadRequest(
            f"the workbook holds more than {MAX_PARTS:,} parts, as no inventory does", field="file"
        )
    try:
        return zipfile.ZipFile(io.BytesIO(content))
    except ZIP_ERRORS as error:
        raise unreadable(error) from None


def unreadable(error: Exception | str) -> BadRequest:
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return BadRequest(f"not a readable Excel workbook (.xlsx): {detail}", field="file")


def check_declared(archive: zipfile.ZipFile, part: str, limit: int, where: str) -> None:
    """Refuses a part from the zip's directory alone: too big once unpacked, or a bomb's ratio."""
    try:
        info = archive.getinfo(part)
    except KeyError:
        raise unreadable(f"it lacks {part}") from None
    if info.file_size > limit:
        raise unpacks_too_much(where, limit)
    if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * info.compress_size:
        raise BadRequest(
            f"{where} is compressed more than {MAX_RATIO} to 1, as no real workbook is: it looks"
            " built to fill memory when unpacked, and is not read",
            field="file",
        )


def unpacks_too_much(where: str, limit: int) -> BadRequest:
    return BadRequest(
        f"{where} unpacks to more than {megabytes(limit)} (at most {megabytes(limit)} is read):"
        " save the inventory as CSV, or split it",
        field="file",
    )


class Unpacked:
    """What one read of a part has unpacked, refused past the limit: its bytes, and for a
    sheet the text of the shared strings its cells refer to, each reference counted (one
    100,000-character string in 20,000 rows is 2 GB of text, from a 0.2 MB file)."""

    def __init__(self, limit: int, where: str):
        self.limit, self.where, self.size = limit, where, 0

    def add(self, size: int) -> None:
        self.size += size
        if self.size > self.limit:
            raise unpacks_too_much(self.where, self.limit)

    def text_too_long(self) -> BadRequest:
        """The refusal once the shared strings a sheet refers to pass the limit."""
        return BadRequest(
            f"{self.where} unpacks to more than {megabytes(self.limit)} counting the shared"
            " strings its cells repeat (each use counted): save the inventory as CSV, or split it",
            field="file",
        )


def part_chunks(
    archive: zipfile.ZipFile,
    part: str,
    limit: int,
    where: str,
    token_limit: int,
    unpacked: Unpacked | None = None,
) -> Generator[bytes, None, None]:
    """The part's bytes as unpacked, in chunks, refused past `limit` whatever its size claims."""
    check_declared(archive, part, limit, where)
    guard = MarkupGuard(token_limit, where)
    unpacked = unpacked or Unpacked(limit, where)
    with _open(archive, part) as stream:
        while True:
            try:
                chunk = stream.read(CHUNK)
            except ZIP_ERRORS as error:
                raise unreadable(error) from None
            if not chunk:
                return
            unpacked.add(len(chunk))
            yield chunk
            guard.check(chunk)  # after expat took it: what it holds is bounded either way


def _open(archive: zipfile.ZipFile, part: str) -> IO[bytes]:
    try:
        return archive.open(part)
    except ZIP_ERRORS as error:
        raise unreadable(error) from None


# What expat raises on broken XML, or on an encoding its declaration names that Python lacks.
XML_ERRORS = (expat.ExpatError, LookupError, ValueError)


class MarkupGuard:
    """Expat holds a whole start tag, comment or processing instruction before it reports it.

    So no run of bytes without a "<" may pass the limit (that bounds tags, attributes and text),
    and comments, DTDs and processing instructions, which spreadsheet programs never write in
    these parts but which may hold a "<", are refused (the XML declaration aside).
    """

    def __init__(self, limit: int, where: str):
        self.limit, self.where = limit, where
        self.run = 0  # bytes since the last "<"
        self.offset = 0  # bytes checked before this chunk
        self.last = b""  # the previous chunk's last byte: a "<!" may straddle two chunks

    def check(self, chunk: bytes) -> None:
        first = chunk.find(b"<")
        if self.run + (len(chunk) if first < 0 else first) > self.limit:
            raise BadRequest(
                f"{self.where} holds a cell or tag of more than {megabytes(self.limit)},"
                " which no inventory needs: check that this is the right file",
                field="file",
            )
        self.run = self.run + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
        joined = self.last + chunk
        for marker in (b"<!", b"<?"):
            at = joined.find(marker)
            while at >= 0:
                if marker == b"<!" or self.offset - len(self.last) + at > 3:  # after a BOM
                    raise BadRequest(
                        f"{self.where} holds XML comments, a DTD or processing instructions,"
                        " which spreadsheet programs never write: it is not read",
                        field="file",
                    )
                at = joined.find(marker, at + 1)
        self.offset += len(chunk)
        self.last = chunk[-1:]


def too_deep(where: str) -> BadRequest:
    return BadRequest(
        f"{where} nests elements more than {MAX_DEPTH} deep, as no workbook does (a sheet"
        " needs about 7): it looks built to fill memory, and is not read",
        field="file",
    )


class _Depth:
    def __init__(self, where: str):
        self.where, self.depth = where, 0

    def start(self, _name: str, _attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(self.where)

    def end(self, _name: str) -> None:
        self.depth -= 1


def depth_parser(where: str) -> expat.XMLParserType:
    """A parser that only refuses elements nested past MAX_DEPTH (and XML not well formed)."""
    parser, depth = new_parser(), _Depth(where)
    parser.StartElementHandler, parser.EndElementHandler = depth.start, depth.end
    return parser


def new_parser() -> expat.XMLParserType:
    """An expat parser that refuses a DTD (so no entity can be declared, let alone expand)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def _refuse_dtd(*_args: object) -> None:
    raise unreadable("it declares a DTD, which workbooks never do")


def local(name: str) -> str:
    """An element's name without its namespace prefix ("x:row" -> "row")."""
    return name.rpartition(":")[2] if ":" in name else name


def small_part_tags(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, dict[str, str]]]:
    """(parent, element, attributes) of each element of a small part, read whole."""
    check_declared(archive, part, MAX_SMALL_PART, part)
    with _open(archive, part) as stream:
        try:
            data = stream.read(MAX_SMALL_PART + 1)
        except ZIP_ERRORS as error:
            raise unreadable(error) from None
    found: list[tuple[str, str, dict[str, str]]] = []
    stack = [""]
    parser = new_parser()

    def start(name: str, attributes: dict[str, str]) -> None:
        if len(stack) > MAX_DEPTH:
            raise too_deep(part)
        found.append((stack[-1], local(name), attributes))
        stack.append(local(name))

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _name: stack.pop()
    try:
        parser.Parse(data, True)
    except XML_ERRORS as error:
        raise unreadable(f"{part}: {error}") from None
    return found


def relations(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, part it points to) of the part's internal relationships."""
    directory, name = posixpath.split(part)
    rels = posixpath.join(directory, "_rels", f"{name}.rels")
    if rels not in archive.NameToInfo:
        return {}
    return {
        attributes.get("Id", ""): (attributes.get("Type", ""), _target(directory, attributes))
        for _parent, element, attributes in small_part_tags(archive, rels)
        if element == "Relationship" and attributes.get("TargetMode") != "External"
    }


def _target(directory: str, attributes: dict[str, str]) -> str:
    target = attributes.get("Target", "")
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(directory, target))


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def estimate_rows(first_chunk: bytes, unpacked_size: int) -> int:
    """About how many rows a sheet of `unpacked_size` bytes (as the archive states it) holds,
    from the rows in its first chunk."""
    start = _ROW_TAG.search(first_chunk)
    rows = len(_ROW_TAG.findall(first_chunk))
    if not rows or start is None:
        return 0
    if unpacked_size <= len(first_chunk):
        return rows
    per_row = max(1, (len(first_chunk) - start.start()) // rows)
    return max(rows, (unpacked_size - start.start()) // per_row)


# Column letters -> number for the first 702 columns (A..ZZ), the ones inventories use.
_LETTERS = [chr(65 + i) for i in range(26)]
COLUMNS = {
    letters: index + 1
    for index, letters in enumerate([*_LETTERS, *(a + b for a in _LETTERS for b in _LETTERS)])
}
