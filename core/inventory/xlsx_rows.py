"""A worksheet of an .xlsx workbook read as a stream of rows under the import limits.

openpyxl, even read-only, builds each cell's whole text and holds every shared string as a
Python string, so a 400 KB workbook can unpack into gigabytes of memory. Here the XML is
streamed (core.inventory.xlsx_parts bounds what is unpacked; plain rows are read by pattern,
core.inventory.xlsx_plain_rows, the rest by expat) and a cell is refused as soon as its text passes
the cell limit, before it is built. Values are openpyxl's data-only ones (numbers as int or
float, dates by their number format, strings, booleans), with openpyxl's format and date helpers.
"""

from collections.abc import Generator, Iterator
from typing import Any

from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from core.inventory.limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    ImportLimits,
    cell_too_long,
    too_many_columns,
    too_many_rows_with_blank_ones,
)
from core.inventory.upload_memo import UploadMemo
from core.inventory.xlsx_parts import (
    COLUMNS,
    MAX_DEPTH,
    XML_ERRORS,
    Unpacked,
    check_declared,
    estimate_rows,
    local,
    open_archive,
    part_chunks,
    relations,
    small_part_tags,
    too_deep,
)
from core.inventory.xlsx_plain_rows import PlainCells, plain_values, read_sheet
from core.inventory.xlsx_shared_strings import SharedStrings, workbook_strings
from core.inventory.xlsx_styles import date_styles, small_index
from core.kernel.errors import BadRequest

Row = tuple[int, list[Any]]
RawCell = tuple[str, str | None, str | None, str]  # type, style, text, reference: as read


class DamagedSheet(BadRequest):
    """A sheet whose XML or values cannot be read: another sheet may still hold the inventory."""


class Workbook:
    """Its worksheets by name, in order, and what reading their cells needs."""

    def __init__(self, content: bytes, limits: ImportLimits, memo: UploadMemo | None = None):
        self.limits, self.memo = limits, memo
        self.archive = open_archive(content)
        office_document = [
            target
            for kind, target in relations(self.archive, "").values()
            if kind.endswith("/officeDocument")
        ]
        workbook_part = office_document[0] if office_document else "xl/workbook.xml"
        linked = relations(self.archive, workbook_part)
        self.sheets: dict[str, str] = {}
        date1904 = False
        for _parent, element, attributes in small_part_tags(self.archive, workbook_part):
            if element == "sheet":
                kind, target = linked.get(_relation_id(attributes), ("", ""))
                if kind.endswith("/worksheet"):  # chart sheets hold no rows
                    self.sheets[attributes.get("name", target)] = target
            elif element == "workbookPr":
                date1904 = attributes.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        by_kind = {kind.rsplit("/", 1)[-1]: target for kind, target in linked.values()}
        self.shared_strings_part = by_kind.get("sharedStrings")
        styles = by_kind.get("styles")
        self.date_styles, self.timedelta_styles = (
            date_styles(small_part_tags(self.archive, styles))
            if styles in self.archive.NameToInfo
            else (frozenset(), frozenset())
        )
        self._strings: SharedStrings | None = None
        self.token_limit = 10 * limits.max_cell_chars + 4096  # "&#x1F600;" is 10 bytes a char

    def rows(self, sheet_name: str) -> Generator[Row, None, None]:
        where, part = f"sheet {sheet_name!r}", self.sheets[sheet_name]
        limit = self.limits.max_unpacked_bytes
        check_declared(self.archive, part, limit, where)  # first of all
        unpacked = Unpacked(limit, where)
        chunks = part_chunks(self.archive, part, limit, where, self.token_limit, unpacked)
        try:
            yield from _SheetReader(self, where, unpacked).rows(chunks)
        finally:
            chunks.close()

    def estimate_rows(self, sheet_name: str) -> int:
        """About how many rows the sheet holds: for progress only (`rows` keeps the limits)."""
        where, part = f"sheet {sheet_name!r}", self.sheets[sheet_name]
        limit = self.limits.max_unpacked_bytes
        chunks = part_chunks(self.archive, part, limit, where, self.token_limit)
        try:
            return estimate_rows(next(chunks, b""), self.archive.getinfo(part).file_size)
        finally:
            chunks.close()

    def shared_strings(self) -> SharedStrings:
        """Read once per workbook, on the first sheet read (and kept only if read whole); with
        a memo, once per uploaded file, however many times it is read."""
        if self._strings is None:
            self._strings = workbook_strings(
                self.archive, self.shared_strings_part, self.limits, self.token_limit, self.memo
            )
        return self._strings


class _SheetReader:
    """expat handlers that collect rows; a cell's text is kept only up to the cell limit."""

    def __init__(self, workbook: Workbook, where: str, unpacked: Unpacked):
        self.workbook, self.where, self.unpacked = workbook, where, unpacked
        self.strings = workbook.shared_strings()
        self.limit = workbook.limits.max_cell_chars
        self.max_columns = workbook.limits.max_columns
        self.depth = 0  # elements open in the expat handlers' parser
        self.most_rows = workbook.limits.max_rows_with_blank_ones
        self.done: list[tuple[int, list[RawCell | None]]] = []  # rows parsed, not yet handed out
        self.rows_seen = self.row_number = self.column = self.length = self.phonetic = 0
        self.cells: list[RawCell | None] = []
        self.kind, self.ref = "n", ""
        self.style: str | None = None
        self.text: list[str] | None = None
        self.in_cell = self.capturing = False
        self.date_styles: dict[bytes, bool] = {}

    def rows(self, chunks: Iterator[bytes]) -> Iterator[Row]:
        try:
            for _read in read_sheet(self, chunks):  # plain rows by pattern, others by expat
                if self.done:
                    done, self.done = self.done, []
                    yield from self.converted(done)
        except XML_ERRORS as error:
            raise DamagedSheet(f"{self.where} cannot be read: {error}", field="file") from None
        yield from self.converted(self.done)

    def converted(self, rows: list[tuple[int, list[RawCell | None]]]) -> Iterator[Row]:
        """Cells become values only as their row is handed out: a reader that stops early
        (the preview) converts no cell past the rows it takes."""
        value = self.value
        for number, cells in rows:
            if type(cells) is PlainCells:
                yield number, plain_values(self, cells)
            else:
                yield number, [None if cell is None else value(*cell) for cell in cells]

    def date_style_of(self, style: bytes) -> bool:
        """Whether a cell of this style (as written, b"" for none) holds a date or duration."""
        found = self.date_styles.get(style)
        if found is None:
            index = small_index(style.decode())
            found = self.date_styles[style] = index in self.workbook.date_styles
        return found

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(self.where)
        if ":" in name:
            name = local(name)
        if name == "c":
            self.in_cell, self.text, self.length = True, None, 0
            ref = self.ref = attributes.get("r") or ""
            if ref:
                letters = ref.rstrip("0123456789")
                self.column = COLUMNS.get(letters) or self.column_of(ref)
            else:
                self.column += 1
                if self.column > EXCEL_MAX_COLUMNS:  # cells without a reference count on
                    past = f"{self.where} row {self.row_number} has cells past Excel's columns"
                    raise DamagedSheet(past, field="file")
            if self.column > self.max_columns:
                self.refuse_column(ref or f"{self.column} of row {self.row_number}")
            self.kind, self.style = attributes.get("t", "n"), attributes.get("s")
        elif self.in_cell and name == ("t" if self.kind == "inlineStr" else "v"):
            if not self.phonetic:
                self.capturing = True
                self.text = self.text if self.text is not None else []
        elif name == "rPh":
            self.phonetic += 1
        elif name == "row":
            self.next_row(attributes.get("r"))
            self.cells, self.column = [], 0

    def next_row(self, number: str | None) -> None:
        """A row starts: counted under the limit, numbered as the file says or next."""
        self.rows_seen += 1
        if self.rows_seen > self.most_rows:
            raise too_many_rows_with_blank_ones(self.most_rows)
        self.row_number = _row_number(number, self.where) if number else self.row_number + 1

    def column_of(self, ref: str) -> int:
        """The column of a cell reference ("AB12" -> 28), refused outside Excel's columns."""
        return _column(ref, self.where)

    def refuse_column(self, cell: str) -> None:
        """A cell past the column limit: the sheet is refused at its first such cell."""
        raise too_many_columns(f"{self.where}, cell {cell[:20]},", self.max_columns)

    def end(self, name: str) -> None:
        self.depth -= 1
        if ":" in name:
            name = local(name)
        if name == "c":
            text = None if self.text is None else "".join(self.text)
            cell = (self.kind, self.style, text, self.ref or str(self.column))
            cells, index = self.cells, self.column - 1
            if index >= len(cells):
                cells.extend([None] * (index - len(cells)))
                cells.append(cell)
            else:
                cells[index] = cell
            self.in_cell = self.capturing = False
        elif name in ("v", "t"):
            self.capturing = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "row":
            self.done.append((self.row_number, self.cells))

    def characters(self, data: str) -> None:
        if self.capturing:
            self.length += len(data)
            if self.length > self.limit:
                raise cell_too_long(f"{self.where}, cell {self.ref or self.column}", self.limit)
            self.text.append(data)  # type: ignore[union-attr]

    def value(self, kind: str, style: str | None, text: str | None, ref: str) -> Any:
        if kind == "inlineStr" or (kind not in ("n", "s", "b", "d") and text):
            return text  # inline strings, formula results ("str") and errors ("e")
        if not text:
            return None
        try:
            if kind == "s":
                return self.strings.counted(int(text), self.unpacked)
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
            number = float(text) if "." in text or "e" in text or "E" in text else int(text)
        except (ValueError, IndexError):
            raise DamagedSheet(self._wrong_value(kind, text, ref), field="file") from None
        style_index = small_index(style)
        if style_index is not None and style_index in self.workbook.date_styles:
            try:
                timedelta = style_index in self.workbook.timedelta_styles
                return from_excel(number, self.workbook.epoch, timedelta=timedelta)
            except (OverflowError, ValueError):
                return "#VALUE!"  # as openpyxl reads a date out of range
        return number

    def _wrong_value(self, kind: str, text: str, ref: str) -> str:
        cell = f"{self.where}: cell {ref}"
        shown = repr(text if len(text) <= 40 else text[:40] + "…")
        if kind == "s":
            return f"{cell} refers to shared string {shown}, which the workbook lacks"
        expected = {"b": "true or false", "d": "a date"}.get(kind, "a number")
        return f"{cell} holds {shown} where {expected} belongs"


def _relation_id(attributes: dict[str, str]) -> str:
    # The r:id, whatever prefix the relationships namespace has.
    return next((value for key, value in attributes.items() if key.endswith(":id")), "")


def _column(ref: str, where: str) -> int:
    number = 0
    for char in ref:
        if not "A" <= char <= "Z":
            break
        number = number * 26 + ord(char) - 64
    if not 0 < number <= EXCEL_MAX_COLUMNS:
        raise DamagedSheet(f"{where} has a cell {ref[:20]!r} outside Excel's columns", field="file")
    return number


def _row_number(text: str, where: str) -> int:
    number = small_index(text) or 0
    if not 0 < number <= EXCEL_MAX_ROWS:
        raise DamagedSheet(f"{where} has a row {text[:20]!r} outside Excel's rows", field="file")
    return number
