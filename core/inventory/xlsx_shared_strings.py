"""A workbook's shared strings (the text of most cells), read as a stream and held compactly.

Cells of a sheet refer to these strings by index, so the whole table is held while a sheet is
read: as one UTF-8 buffer and end offsets, since a Python string apiece would cost 50 bytes or
more each on top of its text. Each string is refused as soon as it passes the cell limit.
"""

from array import array
from collections.abc import Iterator

from core.inventory.limits import cell_too_long
from core.inventory.xlsx_parts import XML_ERRORS, local, new_parser, unreadable


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
        self.length = self.phonetic = 0
        self.capturing = False

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        name = local(name)
        if name == "si":
            self.text, self.length = [], 0
        elif name == "t" and not self.phonetic:
            self.capturing = True
        elif name == "rPh":
            self.phonetic += 1

    def end(self, name: str) -> None:
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
