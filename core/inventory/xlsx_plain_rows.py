"""Worksheet rows as spreadsheet programs commonly write them, read by pattern.

expat calls back into Python for every tag and every text of a sheet, which is most of the
time a large workbook takes to read. A row whose cells are all plain (element `c` with a
reference and maybe a style and a type, holding a value `v`, an inline string `is` of one
`t`, or nothing) is read here by patterns over the bytes instead. Anything else (rich text,
phonetic runs, formulas, other attributes, prefixed tags) goes through the expat handlers of
core.inventory.xlsx_rows as before, a row at a time, or the rest of the sheet. An expat parser without handlers still reads every byte
first, so XML that is not well formed is refused as before; the limits are the same: rows
counted, row and column references checked, a cell refused past the cell limit.
"""

import re
from collections.abc import Iterator
from typing import Any

from core.inventory.limits import cell_too_long
from core.inventory.xlsx_parts import COLUMNS, depth_parser, new_parser

MOST_WAITING = 2**16  # bytes of a row not complete yet; plain rows are far shorter
_START = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml([^>]*)\?>)?\s*<([\w.-]+)[\s>/]")
_SHEET_DATA_TAIL = 4096
_SHEET_DATA = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_ROW = re.compile(rb'\s*<row(?: r="(\d+)")?((?: [\w:]+="[^"]*")*) ?(/?)>')  # its start tag
# A plain cell: column letters, row digits, style, type, style, ">" + value, ">" + inline text
# (the ">" tells an empty text from none: findall gives "" for a group that took no part).
CELL = (
    rb'<c r="([A-Z]{1,3})(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?(?: s="(\d+)")? ?'
    rb'(?:/>|>(?:<v(>[^<]*)</v>|<is><t(?: xml:space="preserve")?(>[^<]*)</t></is>)?</c>)'
)
_CELL = re.compile(CELL)
_CELL_OR_OTHER = re.compile(CELL + rb"|(?s:.)")
_LETTERS = [letters.encode() for letters in sorted(COLUMNS, key=COLUMNS.__getitem__)]


class PlainCells(list[tuple[bytes, ...]]):
    """A row's cells as _CELL found them, in column order from A: converted as handed out."""


_REFERENCE = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def read_sheet(reader: Any, chunks: Iterator[bytes]) -> Iterator[None]:
    """Feeds the sheet to `reader` (core.inventory.xlsx_rows' sheet reader: its expat handlers,
    `next_row`, `column_of`, and `done`, which gets each row read); yields after each chunk so
    that the rows are handed out as they are read."""
    # No handlers: it only refuses what is not well-formed XML. It keeps every open element,
    # yet calls no Python per element to count them: the nesting is bounded by the readers
    # that take each chunk right after it (see _PlainRows), so it holds at most the bytes they
    # wait for (128 KB: some 40,000 levels, a few megabytes) past the limit before one refuses.
    validator = new_parser()
    plain = _PlainRows(reader)
    for chunk in chunks:
        validator.Parse(chunk, False)
        plain.feed(chunk)
        yield
    validator.Parse(b"", True)
    plain.close()


class _PlainRows:
    """Reads the rows of sheetData by pattern until something unusual, then hands the rest
    of the sheet (from its root element on) to an expat parser with the reader's handlers.

    Every byte is also read by something that bounds the nesting (core.inventory.xlsx_parts'
    MAX_DEPTH): the patterns take only rows of cells holding text (no element inside another
    past `t`), the reader's handlers count it, and what comes before and after the rows goes
    to a parser that only counts it.
    """

    def __init__(self, reader: Any):
        self.reader = reader
        self.pending = b""  # the sheet before its rows
        self.text = b""  # rows not read yet
        self.root: bytes | None = None
        self.in_rows = self.finished = False
        self.rest: Any = None  # the expat parser that reads the rest, once one does
        self.outside = depth_parser(reader.where)  # the sheet before the rows, then after

    def feed(self, chunk: bytes) -> None:
        if self.rest is not None:
            self.rest.Parse(chunk, False)
            return
        if self.finished:
            self.outside.Parse(chunk, False)  # what follows the rows: only its nesting counts
            return
        if not self.in_rows:
            self.outside.Parse(chunk, False)  # the sheet from its start: only its nesting counts
            self.pending += chunk
            self._find_rows()
            if not self.in_rows:
                return
            chunk, self.pending = self.pending, b""
        self.text += chunk
        self._read_rows()
        if self.rest is None and len(self.text) > MOST_WAITING:
            self._hand_on_rest()  # a long row: expat refuses a cell past the limit in it

    def close(self) -> None:
        rest = self.rest
        if rest is None and self.in_rows and not self.finished:
            rest = self._hand_on_rest()  # an unfinished row: expat says what is wrong
        if rest is not None:
            rest.Parse(b"", True)

    def _find_rows(self) -> None:
        if self.root is None:
            start = _START.match(self.pending)
            if start is None:
                if len(self.pending) > 4096 or b">" in self.pending:
                    self._hand_on(self.pending)  # not as expected: expat reads it all
                return
            declaration, self.root = start.group(1) or b"", start.group(2)
            encoding = re.search(rb"encoding=[\"']([\w-]+)", declaration)
            if (encoding and encoding.group(1).lower() != b"utf-8") or b":" in self.root:
                self._hand_on(self.pending)
                return
        found = _SHEET_DATA.search(self.pending)
        if found is None:
            # The sheet's header parts: waits for the rows, keeping only what may begin the
            # sheetData tag (so a huge header is neither held nor searched again and again).
            self.pending = self.pending[-_SHEET_DATA_TAIL:]
            return
        if found.group(1):  # a prefixed sheetData: expat reads it all (the header is let go)
            self._hand_on(b"<" + self.root + b">" + self.pending[found.start() :])
        elif found.group(2):
            self.finished = True  # <sheetData/>: no rows
        else:
            self.in_rows = True
            self.pending = self.pending[found.end() :]

    def _read_rows(self) -> None:
        text, position, done = self.text, 0, self.reader.done
        while True:
            start = _ROW.match(text, position)
            if start is None:
                rest = text[position:].lstrip()
                if rest.startswith(b"</sheetData>"):
                    self.finished, self.text = True, b""
                    self.outside = depth_parser(self.reader.where)
                    assert self.root is not None
                    self.outside.Parse(b"<" + self.root + b"><sheetData>" + rest, False)
                    return
                closed = rest.find(b"</row>") if rest.startswith(b"<row") else -1
                if closed >= 0:  # a row of another form: expat reads it
                    begin = len(text) - len(rest)
                    self._parse_rows(text[begin : begin + closed + 6])
                    position = begin + closed + 6
                    continue
                self.text = text[position:]
                coming = rest.startswith(b"<row") or any(
                    tag.startswith(rest) for tag in (b"<row", b"</sheetData>")
                )  # a row or the end of the rows, not complete yet
                if not coming:
                    self._hand_on_rest()  # something else: expat reads it
                return
            if start.group(3):  # <row r="5"/>
                content, end = b"", start.end()
            else:
                close = text.find(b"</row>", start.end())
                if close < 0:
                    self.text = text[position:]  # a row not complete yet
                    return
                content, end = text[start.end() : close], close + 6
            cells: list[Any] | None = None
            if start.group(1) is not None or b' r="' not in start.group(2):
                cells = self._plain(content)
            if cells is None:
                self._parse_rows(text[position:end])
            else:
                number = start.group(1)
                self.reader.next_row(number.decode() if number else None)
                done.append((self.reader.row_number, cells))
            position = end

    def _plain(self, content: bytes) -> list[Any] | None:
        """The row's cells: as found, for a row of plain cells from column A on, of no text
        to unescape and shorter than the cell limit (most rows); else as _cells reads them."""
        if len(content) <= self.reader.limit and b"&" not in content and b"\r" not in content:
            # Anything but a plain cell is found as single characters, of no column letters.
            found = _CELL_OR_OTHER.findall(content)
            if len(found) > self.reader.max_columns:
                return self._cells(content)  # refuses the cell past the limit, or another form
            if [cell[0] for cell in found] == _LETTERS[: len(found)]:
                return PlainCells(found)
        return self._cells(content)

    def _cells(self, content: bytes) -> list[Any] | None:
        """The raw cells of a row's content, or None where a cell is of another form."""
        cells: list[Any] = []
        position, end, limit = 0, len(content), self.reader.limit
        match = _CELL.match
        while position < end:
            cell = match(content, position)
            if cell is None:
                return None
            groups = cell.groups(b"")
            letters, number, style, kind, style_after, value, inline = (
                group.decode() for group in groups
            )
            kind = kind or "n"
            found = inline if kind == "inlineStr" else value
            text = found[1:] if found else None  # without its ">"
            if text:
                if "&" in text or "\r" in text:
                    text = _unescaped(text)
                if len(text) > limit:
                    where = f"{self.reader.where}, cell {letters}{number}"
                    raise cell_too_long(where, limit)
            column = COLUMNS.get(letters) or self.reader.column_of(letters)
            if column > self.reader.max_columns:
                self.reader.refuse_column(letters + number)
            if column > len(cells):
                cells.extend([None] * (column - 1 - len(cells)))
                cells.append((kind, style or style_after or None, text, letters + number))
            else:
                cells[column - 1] = (kind, style or style_after or None, text, letters + number)
            position = cell.end()
        return cells

    def _parse_rows(self, rows: bytes) -> None:
        """Rows of another form, read by the reader's expat handlers."""
        parser = self._handled()
        parser.Parse(b"<rows>" + rows + b"</rows>", True)

    def _hand_on_rest(self) -> Any:
        """The rest of the sheet to expat, inside its root and sheetData as in the file."""
        assert self.root is not None
        text, self.text = self.text, b""
        return self._hand_on(b"<" + self.root + b"><sheetData>" + text)

    def _hand_on(self, start: bytes) -> Any:
        self.rest = parser = self._handled()
        self.pending = b""
        parser.Parse(start, False)
        return parser

    def _handled(self) -> Any:
        parser = new_parser()
        parser.StartElementHandler = self.reader.start
        parser.EndElementHandler = self.reader.end
        parser.CharacterDataHandler = self.reader.characters
        return parser


def plain_values(reader: Any, cells: PlainCells) -> list[Any]:
    """The values of a row of plain cells, as `reader.value` reads each: inline strings,
    shared strings and plain numbers here, the rest by it."""
    values: list[Any] = []
    append, value = values.append, reader.value
    string, unpacked = reader.strings.counted, reader.unpacked
    dates = reader.date_style_of
    for letters, number, style, kind, style_after, text, inline in cells:
        if kind == b"inlineStr":
            append(inline[1:].decode() if inline else None)
        elif len(text) < 2:
            append(None)  # no value, or an empty one
        elif kind == b"s" and text[1:].isdigit():
            try:
                append(string(int(text[1:]), unpacked))
            except IndexError:  # the workbook lacks it: refused as `value` words it
                append(value("s", None, text[1:].decode(), (letters + number).decode()))
        elif kind in (b"", b"n") and not dates(style or style_after):
            digits = text[1:]
            try:
                is_float = b"." in digits or b"e" in digits or b"E" in digits
                append(float(digits) if is_float else int(digits))
            except ValueError:
                style_text = (style or style_after).decode() or None
                append(value("n", style_text, digits.decode(), (letters + number).decode()))
        else:
            append(
                value(
                    kind.decode() or "n", (style or style_after).decode() or None,
                    text[1:].decode(), (letters + number).decode(),
                )
            )  # fmt: skip
    return values


def _unescaped(text: str) -> str:
    """The text as an XML parser reads it: line ends as "\\n", references replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _REFERENCE.sub(_reference, text) if "&" in text else text


def _reference(found: re.Match[str]) -> str:
    name = found.group(1)
    if name[0] != "#":
        return _NAMED[name]
    return chr(int(name[2:], 16) if name[1] == "x" else int(name[1:]))
