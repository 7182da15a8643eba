"""A workbook's shared strings (the text of most cells), read as a stream and held compactly.

Cells of a sheet refer to these strings by index, so the whole table is held while a sheet is
read: as one UTF-8 buffer and end offsets, since a Python string apiece would cost 50 bytes or
more each on top of its text. Each string is refused as soon as it passes the cell limit.
"""

import zipfile
from array import array
from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from core.inventory.limits import ImportLimits, cell_too_long
from core.inventory.xlsx_parts import (
    MAX_DEPTH,
    XML_ERRORS,
    Unpacked,
    local,
    new_parser,
    part_chunks,
    too_deep,
    unreadable,
)

if TYPE_CHECKING:
    from core.inventory.upload_memo import UploadMemo


class SharedStrings:
    """Strings by index, stored as one UTF-8 buffer and the end offset of each."""

    def __init__(self) -> None:
        self.text = bytearray()
        self.ends = array("Q")

    def append(self, value: str) -> None:
        self.text += value.encode()
        self.ends.append(len(self.text))

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        start = self.ends[index - 1] if index else 0
        return self.text[start : self.ends[index]].decode()

    def counted(self, index: int, unpacked: Unpacked) -> str:
        """The string, its size counted as unpacked by the sheet that refers to it."""
        if index < 0:
            raise IndexError(index)
        start, end = self.ends[index - 1] if index else 0, self.ends[index]
        unpacked.size += end - start  # inline: a sheet may refer to strings millions of times
        if unpacked.size > unpacked.limit:
            raise unpacked.text_too_long()
        return self.text[start:end].decode()


def workbook_strings(
    archive: zipfile.ZipFile,
    part: str | None,
    limits: ImportLimits,
    token_limit: int,
    memo: "UploadMemo | None" = None,
) -> SharedStrings:
    """The workbook's shared strings (none if it has no such part): read, or with a memo found
    again by the part's checksum and sizes and the limits they were read under."""
    if part is None or part not in archive.NameToInfo:
        return SharedStrings()
    read = partial(_read_part, archive, part, limits, token_limit)
    if memo is None:
        return read()
    info = archive.getinfo(part)
    key = (part, info.CRC, info.file_size, info.compress_size)
    return memo.shared_strings((*key, limits.max_cell_chars, limits.max_shared_strings_bytes), read)


def _read_part(
    archive: zipfile.ZipFile, part: str, limits: ImportLimits, token_limit: int
) -> SharedStrings:
    where, limit = "the workbook's shared-string table", limits.max_shared_strings_bytes
    strings = SharedStrings()
    chunks = part_chunks(archive, part, limit, where, token_limit)
    read_shared_strings(chunks, strings, limits.max_cell_chars)
    return strings


def read_shared_strings(chunks: Iterator[bytes], strings: SharedStrings, limit: int) -> None:
    """Appends the part's strings (si elements, their t text and rich-text runs, not phonetic guides)."""
    reader = _SharedStringsReader(strings, limit)
    parser = new_parser()
    parser.StartElementHandler, parser.EndElementHandler = reader.start, reader.end
    parser.CharacterDataHandler = reader.characters
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except XML_ERRORS as error:
        raise unreadable(f"its shared strings: {error}") from None


class _SharedStringsReader:
    def __init__(self, strings: SharedStrings, limit: int):
        self.strings, self.limit = strings, limit
        self.text: list[str] = []
        self.length = self.phonetic = self.depth = 0
        self.capturing = False

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep("the workbook's shared-string table")
        name = local(name)
        if name == "si":
            self.text, self.length = [], 0
        elif name == "t" and not self.phonetic:
            self.capturing = True
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        name = local(name)
        if name == "si":
            self.strings.append("".join(self.text).replace("x005F_", ""))  # as openpyxl does
        elif name == "t":
            self.capturing = False
        elif name == "rPh":
            self.phonetic -= 1

    def characters(self, data: str) -> None:
        if self.capturing:
            self.length += len(data)
            if self.length > self.limit:
                index = len(self.strings.ends)
                raise cell_too_long(f"the workbook's shared string {index}", self.limit)
            self.text.append(data)
