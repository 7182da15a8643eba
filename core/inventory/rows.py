"""One row of an inventory file turned into asset values, or the reason it cannot be.

Typed columns must hold what their database column can store ("1,024", "16 GB", "" are
fine; "lots" in a cores column is not). Catalogue attributes kept in custom_attributes
store what the file says, numbers as numbers: a "TBD" there is for the gap scan to flag.
"""

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import String

from core.catalogue.attributes import BY_NAME, PLACEHOLDERS
from core.inventory.column_mapping import (
    SIZE_FIELDS,
    UNIT_FACTORS_TO_GB,
    ColumnTarget,
    normalize_asset_type,
    normalize_header,
)
from core.kernel.errors import BadRequest
from core.kernel.text import clean_text
from db.models import Asset

MAX_CELL_CHARS = 10_000
MAX_CUSTOM_KEY_CHARS = 200
INTEGER_FIELDS = frozenset({"cpu_cores"})
FLOAT_FIELDS = frozenset({"memory_gb", "storage_gb"})
INT32 = 2**31 - 1
MAX_FLOAT = 1e15
CORE_WORDS = frozenset({"core", "cores", "vcpu", "vcpus", "cpu", "cpus"})
STRING_LIMITS = {
    column.key: column.type.length
    for column in Asset.__table__.columns
    if isinstance(column.type, String) and column.type.length
}
_NUMBER = re.compile(r"^([-+]?[\d.,'\s\u00a0\u202f]*\d[\d.,'\s\u00a0\u202f]*)\s*([a-zA-Z]*)$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+$")


class RowProblem(ValueError):
    """Why a row is skipped; the message goes to the report as it is."""


@dataclass
class AssetRow:
    row: int
    name: str
    values: dict[str, Any]  # name, asset_type and the typed columns the file has
    custom: dict[str, Any]  # custom attribute -> value, None meaning "the file has it empty"


def default_asset_type(columns: Sequence[ColumnTarget]) -> str:
    """Files without a type column: RVTools-like "VM" lists are virtual machines."""
    name_column = next((column for column in columns if column.target == "name"), None)
    vm_headers = {"vm", "vm_name", "virtual_machine_name"}
    if name_column and normalize_header(name_column.header) in vm_headers:
        return "virtual_machine"
    return "server"


def convert_row(
    number: int, cells: Sequence[Any], columns: Sequence[ColumnTarget], default_type: str
) -> AssetRow:
    """The asset values of one row; raises RowProblem naming the first column at fault."""
    return RowConverter(columns, default_type)(number, cells)


Converter = Callable[[Any], Any]


class RowConverter:
    """convert_row for many rows of one file: each column's converter is chosen once."""

    def __init__(self, columns: Sequence[ColumnTarget], default_type: str):
        self.width = len(columns)
        self.default_type = default_type
        # (cell index, label for reasons, asset field or custom key, is custom, converter)
        self.plan: list[tuple[int, str, str, bool, Converter]] = []
        for column in columns:
            key = column.custom_key
            label = column.header or column.target
            if key is not None:
                self.plan.append((column.index, label, key, True, _custom_converter(key, column)))
            else:
                converter = _typed_converter(column.target, column)
                self.plan.append((column.index, label, column.target, False, converter))

    def __call__(self, number: int, cells: Sequence[Any]) -> AssetRow:
        width = len(cells)
        if width > self.width and any(_text(cell) for cell in cells[self.width :]):
            raise RowProblem(f"{width} values but the header has {self.width} columns")
        values: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for index, label, target, is_custom, convert in self.plan:
            try:
                value = convert(cells[index] if index < width else None)
            except RowProblem as problem:
                raise RowProblem(f"{label}: {problem}") from None
            if is_custom:
                custom[target] = value
            else:
                values[target] = value
        try:  # cleaned as every name core keeps (no control characters, no bidi controls)
            name = clean_text(values.get("name") or "", "name", label="the name").strip()
        except BadRequest as problem:
            raise RowProblem(problem.message) from None
        if not name:
            raise RowProblem("no name: the name column is empty")
        values["name"] = name
        values["asset_type"] = values.get("asset_type") or self.default_type
        return AssetRow(number, name, values, custom)


def _typed_converter(field: str, column: ColumnTarget) -> Converter:
    if field in INTEGER_FIELDS or field in FLOAT_FIELDS:
        return _number_converter(field, column)
    if field == "asset_type":
        return lambda raw: _typed_value(field, raw, column)
    limit = STRING_LIMITS.get(field, MAX_CELL_CHARS)

    def text_cell(raw: Any) -> str | None:
        if type(raw) is str:  # the common case (every CSV cell), without _text's dispatch
            text = raw.strip()
            if not text:
                return None
            if "\x00" in text:
                raise RowProblem("holds a NUL character")
        else:
            text = _text(raw)
            if text is None:
                return None
        if len(text) > limit:
            raise RowProblem(f"longer than {limit} characters ({len(text)})")
        return text

    return text_cell


def _number_converter(field: str, column: ColumnTarget) -> Converter:
    factor, whole = column.unit_factor, field in INTEGER_FIELDS

    def number_cell(raw: Any) -> Any:
        # The common case, a plain number such as "16" or "2.5", straight to float; anything
        # else (units, separators, placeholders, bad values) takes the full parse.
        if type(raw) is str:
            text = raw.strip()
            if text and text[0].isdigit() and "_" not in text:
                try:
                    number = float(text)
                except ValueError:
                    number = None
                if number is not None and number <= MAX_FLOAT:  # inf and nan fail this
                    if factor != 1.0:
                        number = round(number * factor, 4)
                    if not whole:
                        return number
                    if number == int(number) and number <= INT32:
                        return int(number)
        return _typed_value(field, raw, column)

    return number_cell


def _custom_converter(key: str, column: ColumnTarget) -> Converter:
    return lambda raw: _custom_value(key, raw, column)


def _typed_value(field: str, raw: Any, column: ColumnTarget) -> Any:
    if field in INTEGER_FIELDS or field in FLOAT_FIELDS:
        number = parse_number(raw, field, column.unit_factor)
        if number is None:
            return None
        if field in INTEGER_FIELDS:
            if number != int(number):
                raise RowProblem(f"{_shown(raw)} is not a whole number")
            if abs(number) > INT32:
                raise RowProblem(f"{_shown(raw)} is too large")
            return int(number)
        return number
    text = _text(raw)
    if field == "asset_type":
        return normalize_asset_type(text) if text else None
    if text is None:
        return None
    limit = STRING_LIMITS.get(field, MAX_CELL_CHARS)
    if len(text) > limit:
        raise RowProblem(f"longer than {limit} characters ({len(text)})")
    return text


def _custom_value(key: str, raw: Any, column: ColumnTarget) -> Any:
    if len(key) > MAX_CUSTOM_KEY_CHARS:
        raise RowProblem(f"the column name is longer than {MAX_CUSTOM_KEY_CHARS} characters")
    text = _text(raw)
    if text is None:
        return None
    if len(text) > MAX_CELL_CHARS:
        raise RowProblem(f"longer than {MAX_CELL_CHARS} characters ({len(text)})")
    attribute = BY_NAME.get(key)
    if attribute is not None and attribute.question_type == "number":
        try:
            number = parse_number(raw, key, column.unit_factor)
        except RowProblem:
            return text  # kept as written: the gap scan reports it as invalid
        if number is None:
            return text
        return int(number) if number == int(number) and abs(number) < 2**53 else number
    return text


def parse_number(raw: Any, field: str, unit_factor: float = 1.0) -> float | None:
    """'1,024' -> 1024.0, '16 GB' -> 16.0 (sizes in GB), '' and placeholders -> None."""
    if raw is None:
        return None
    if isinstance(raw, bool | datetime | date | time):
        raise RowProblem(f"{_shown(raw)} is not a number")
    if isinstance(raw, int | float):
        number, factor = float(raw), unit_factor
    else:
        text = str(raw).strip()
        if text.lower() in PLACEHOLDERS:
            return None
        number = _plain_float(text)
        if number is not None:
            return _scaled(number, unit_factor, raw)
        match = _NUMBER.match(text)
        if match is None:
            raise RowProblem(f"{_shown(raw)} is not a number")
        number = _parse_digits(match.group(1), raw)
        factor = _unit_factor(match.group(2).lower(), field, unit_factor, raw)
    return _scaled(number, factor, raw)


def _plain_float(text: str) -> float | None:
    """The common case, "16" or "2.5", without the regular expression; None otherwise."""
    if not text or not (text[0].isdigit() or text[0] in "-+."):
        return None
    try:
        return float(text) if "_" not in text else None
    except ValueError:
        return None


def _scaled(number: float, factor: float, raw: Any) -> float:
    if not math.isfinite(number) or abs(number) > MAX_FLOAT:
        raise RowProblem(f"{_shown(raw)} is out of range")
    if factor != 1.0:
        return round(number * factor, 4)
    return number


def _parse_digits(digits: str, raw: Any) -> float:
    digits = re.sub(r"[\s'\u00a0\u202f]", "", digits)
    if "," in digits and "." in digits:
        # The later separator is the decimal one: "1,024.5" and "1.024,5".
        if digits.rfind(",") > digits.rfind("."):
            digits = digits.replace(".", "").replace(",", ".")
        else:
            digits = digits.replace(",", "")
    elif "," in digits:
        if _THOUSANDS.match(digits):
            digits = digits.replace(",", "")
        elif digits.count(",") == 1:
            digits = digits.replace(",", ".")  # a decimal comma: "2,5"
    try:
        return float(digits)
    except ValueError:
        raise RowProblem(f"{_shown(raw)} is not a number") from None


def _unit_factor(unit: str, field: str, column_factor: float, raw: Any) -> float:
    if not unit:
        return column_factor
    if field in SIZE_FIELDS and unit in UNIT_FACTORS_TO_GB:
        return UNIT_FACTORS_TO_GB[unit]
    if field == "cpu_cores" and unit in CORE_WORDS:
        return 1.0
    raise RowProblem(f"{_shown(raw)} has a unit this column does not take")


def _text(raw: Any) -> str | None:
    """A cell as text, None when empty; Excel numbers and dates as a person would type them."""
    if raw is None:
        return None
    if type(raw) is str:
        text = raw.strip()
        if "\x00" in text:
            raise RowProblem("holds a NUL character")
        return text or None
    if isinstance(raw, float) and math.isfinite(raw) and raw == int(raw):
        text = str(int(raw))
    elif isinstance(raw, datetime):
        text = raw.date().isoformat() if raw.time() == time() else raw.isoformat()
    elif isinstance(raw, date | time):
        text = raw.isoformat()
    else:
        text = str(raw).strip()
    if "\x00" in text:
        raise RowProblem("holds a NUL character")
    return text or None


def _shown(raw: Any) -> str:
    text = repr(raw if not isinstance(raw, str) else raw.strip())
    return text if len(text) <= 40 else text[:40] + "…"
