"""A CSV file (any common encoding and delimiter) read as a stream of rows under the limits.

The encoding is found without decoding the file whole, then lines are decoded as they are
read. A file that mixes encodings (UTF-8 lines and Windows-1252 lines, as when exports from
two systems are pasted together) is decoded line by line and the Windows-1252 rows are noted:
a line with accents that is valid UTF-8 is all but certainly UTF-8, so each line comes out
right, and naming the rows lets the analyst check them, where refusing the file would send
them to a text editor to fix an export they may not be able to redo.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections import deque
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

from core.inventory.limits import (
    ImportLimits,
    cell_too_long,
    megabytes,
    too_many_columns,
    too_many_rows_with_blank_ones,
)
from core.inventory.spreadsheet import unescape_formula
from core.kernel.errors import BadRequest

DELIMITERS = (",", ";", "\t", "|")
MAX_LINE = (
    8 * 2**20
)  # bytes or characters of a line: rows are far shorter, files without breaks not
CHUNK = 2**20
MAX_CONTROL_SHARE = 0.01
RECODED = "not valid UTF-8, read as Windows-1252"
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n|\Z)")
_LINE_END = re.compile(rb"[\r\n]")
# A well-formed UTF-8 sequence of two to four bytes: Windows-1252 text almost never holds one.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)

Row = tuple[int, list[Any]]


@dataclass(frozen=True)
class TextEncoding:
    name: str  # as Python names it: utf-8, utf-8-sig, utf-16, cp1252, latin-1
    mixed: bool = False  # UTF-8 with some Windows-1252 lines, decoded line by line


def detect_encoding(content: bytes) -> TextEncoding:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 or Latin-1, or mixed."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        if not _decodes(content, "utf-16", refuse_nul=True):
            raise _not_text()
        encoding = TextEncoding("utf-16")
    elif b"\x00" in content:
        raise _not_text()
    elif _decodes(content, "utf-8"):
        encoding = TextEncoding("utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-8")
    elif _has_utf8_accented_line(content):
        encoding = TextEncoding(
            "utf-8-sig" if content.startswith(codecs.BOM_UTF8) else "utf-8", True
        )
    else:
        encoding = TextEncoding("cp1252" if _decodes(content, "cp1252") else "latin-1")
    sample_codec = "utf-8" if encoding.mixed else encoding.name
    sample = content[:100_000].decode(sample_codec, errors="ignore")
    if _looks_binary(sample):
        raise _not_text()
    return encoding


def text_lines(
    content: bytes, encoding: TextEncoding, recoded: Callable[[int], None]
) -> Iterator[str]:
    """The file's lines, endings kept for the csv module; in a mixed file, `recoded(number)`
    hears of each line read as Windows-1252."""
    if not encoding.mixed:
        yield from _decoded_lines(content, encoding.name)
        return
    start = len(codecs.BOM_UTF8) if content.startswith(codecs.BOM_UTF8) else 0
    for number, match in enumerate(_LINE.finditer(content, start), start=1):
        if match.end() - match.start() > MAX_LINE:
            raise _line_too_long(number)
        line = match.group()
        if not line:
            return
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            recoded(number)
            yield _decode_windows(line)


def _decoded_lines(content: bytes, encoding: str) -> Iterator[str]:
    stream = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    number = 0
    while line := stream.readline(MAX_LINE + 1):
        number += 1
        if len(line) > MAX_LINE:
            raise _line_too_long(number)
        yield line


def detect_delimiter(line: str) -> str:
    """The delimiter that splits the line most (outside quotes); ',' on a tie."""
    unquoted, quoted = [], False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted:
            unquoted.append(char)
    counts = {delimiter: unquoted.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def first_filled_line(content: bytes, encoding: TextEncoding) -> str:
    return next((line for line in text_lines(content, encoding, _ignore) if line.strip()), "")


def csv_rows(
    content: bytes,
    encoding: TextEncoding,
    delimiter: str,
    limits: ImportLimits,
    row_notes: dict[int, str],
) -> Generator[Row, None, None]:
    """(row number, cells) of every record; rows read as Windows-1252 go into row_notes."""
    recoded_lines: deque[int] = deque()
    reader = csv.reader(text_lines(content, encoding, recoded_lines.append), delimiter=delimiter)
    number, most, widest = 0, limits.max_rows_with_blank_ones, limits.max_columns
    try:
        for number, cells in enumerate(reader, start=1):  # noqa: B007 - used on error
            if number > most:
                raise too_many_rows_with_blank_ones(most)
            if len(cells) > widest:
                raise too_many_columns(f"row {number}, cell {widest + 1:,},", widest)
            if cells and max(map(len, cells)) > limits.max_cell_chars:
                raise cell_too_long(f"row {number} cannot be read: a cell", limits.max_cell_chars)
            if recoded_lines and recoded_lines[0] <= reader.line_num:
                row_notes[number] = RECODED
                while recoded_lines and recoded_lines[0] <= reader.line_num:
                    recoded_lines.popleft()
            # Our exports (and other tools heeding OWASP) mark formula-like text with an
            # apostrophe; it is not part of the value.
            yield number, [unescape_formula(cell) if cell[:1] == "'" else cell for cell in cells]
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            where = f"row {number + 1} cannot be read: a cell"
            raise cell_too_long(where, min(limits.max_cell_chars, csv.field_size_limit())) from None
        raise BadRequest(f"row {number + 1} cannot be read as CSV: {error}", field="file") from None


def _decodes(content: bytes, encoding: str, *, refuse_nul: bool = False) -> bool:
    """Whether the whole file decodes, checked in chunks so that it is never decoded whole."""
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(content)
    try:
        for start in range(0, len(content), CHUNK):
            text = decoder.decode(view[start : start + CHUNK], final=start + CHUNK >= len(content))
            if refuse_nul and "\x00" in text:
                return False
    except UnicodeDecodeError:
        return False
    return True


def _has_utf8_accented_line(content: bytes) -> bool:
    """Whether a line with accents decodes as UTF-8; only lines holding a UTF-8 sequence are
    looked at, found by a regular expression rather than a walk through every line."""
    line_start = 0  # where the line holding the next sequence starts at the earliest
    while found := _UTF8_SEQUENCE.search(content, line_start):
        at = found.start()
        start = 1 + max(
            content.rfind(b"\n", line_start, at),
            content.rfind(b"\r", line_start, at),
            line_start - 1,
        )
        end = _LINE_END.search(content, at)
        stop = end.start() if end else len(content)
        if stop - start <= MAX_LINE:  # a longer line is refused when it is read
            try:
                content[start:stop].decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return True
        line_start = stop + 1
    return False


def _decode_windows(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # five bytes cp1252 leaves undefined
        return line.decode("latin-1")


def _looks_binary(sample: str) -> bool:
    controls = sum(
        1 for char in sample if char not in "\t\r\n" and unicodedata.category(char) == "Cc"
    )
    return controls > MAX_CONTROL_SHARE * max(len(sample), 1)


def _ignore(_line: int) -> None:
    pass


def _line_too_long(number: int) -> BadRequest:
    return BadRequest(
        f"line {number} is longer than {megabytes(MAX_LINE)}: this is not a CSV inventory"
        " (or its line breaks are lost)",
        field="file",
    )


def _not_text() -> BadRequest:
    return BadRequest(
        "the file cannot be read as text (tried UTF-8, UTF-16, Windows-1252 and Latin-1; it"
        " holds NUL or control bytes): export it as CSV UTF-8 or .xlsx",
        field="file",
    )
