"""One row of an inventory file turned into asset values, or the reason it cannot be.

Typed columns must hold what their database column can store ("1,024", "16 GB", "" are
fine; "lots" in a cores column is not). Catalogue attributes kept in custom_attributes
store what the file says, numbers as numbers: a "TBD" there is for the gap scan to flag.
Cells are read by the parsers answers and the gap scan use (core/catalogue/numbers.py and
text_values.py), so a value means the same wherever it comes from.
"""

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String

from core.catalogue.attributes import BY_NAME, CATALOGUE
from core.catalogue.labels import asset_type_label
from core.catalogue.numbers import GIGABYTES, parse_number
from core.catalogue.text_values import ValueProblem, clean_value, shown
from core.inventory.column_mapping import (
    SIZE_FIELDS,
    ColumnTarget,
    normalize_asset_type,
    normalize_header,
)
from core.inventory.import_report import excerpt
from core.inventory.profiles import PLAIN, Profile, SkippedRow
from core.kernel.errors import BadRequest
from core.kernel.text import clean_text
from db.models import Asset

MAX_CELL_CHARS = 10_000
MAX_CUSTOM_KEY_CHARS = 200
MEMO_SIZE = 4096  # distinct values remembered per column (converted values are small)
# Typed number columns: cpu_cores (whole), memory_gb and storage_gb.
NUMBER_FIELDS = {
    attribute.name: attribute
    for attribute in CATALOGUE
    if attribute.is_typed_column and attribute.question_type == "number"
}
INT32 = 2**31 - 1
STRING_LIMITS = {
    column.key: column.type.length
    for column in Asset.__table__.columns
    if isinstance(column.type, String) and column.type.length
}


class RowProblem(ValueProblem):
    """Why a row is skipped; the message goes to the report as it is, with the cell at fault."""

    def __init__(self, message: str, column: str = "", value: Any = None):
        super().__init__(message)
        self.column = column
        self.value = value

    def entry(self, row: int) -> dict[str, Any]:
        """The report's line: row, column, value (an excerpt of it as the file has it) and
        reason. The whole value is not kept: a file may repeat one huge text in every row."""
        return {
            "row": row,
            "column": self.column,
            "value": excerpt(self.value),
            "reason": str(self),
        }


@dataclass
class AssetRow:
    row: int
    name: str
    values: dict[str, Any]  # name, asset_type and the typed columns the file has
    custom: dict[str, Any]  # custom attribute -> value, None meaning "the file has it empty"
    # Field or custom key -> (sheet, row) for a value another sheet of the file gave.
    origins: dict[str, tuple[str, int]] = dataclasses.field(default_factory=dict)


def default_asset_type(columns: Sequence[ColumnTarget], profile: Profile = PLAIN) -> str:
    """Files without a type column: vCenter exports and "VM" lists are virtual machines."""
    if profile.default_type != "server":
        return profile.default_type
    name_column = next((column for column in columns if column.target == "name"), None)
    vm_headers = {"vm", "vm_name", "virtual_machine_name"}
    if name_column and normalize_header(name_column.header) in vm_headers:
        return "virtual_machine"
    return "server"


def convert_row(
    number: int,
    cells: Sequence[Any],
    columns: Sequence[ColumnTarget],
    default_type: str,
    profile: Profile = PLAIN,
) -> AssetRow:
    """The asset values of one row; raises RowProblem naming the first column at fault."""
    return RowConverter(columns, default_type, profile)(number, cells)


def written_fields(columns: Sequence[ColumnTarget], profile: Profile = PLAIN) -> list[str]:
    """The typed asset columns an import of these columns writes (besides the name)."""
    typed = {c.target for c in columns if c.custom_key is None and c.target}
    fields = [c.target for c in columns if c.custom_key is None and c.target not in ("name", "")]
    return list(dict.fromkeys([*fields, *sorted(profile.added_fields(typed))]))


Converter = Callable[[Any], Any]


class RowConverter:
    """convert_row for many rows of one file: each column's converter is chosen once."""

    def __init__(
        self,
        columns: Sequence[ColumnTarget],
        default_type: str,
        profile: Profile = PLAIN,
        translations: Mapping[int, Mapping[str, str]] | None = None,
    ):
        self.width = len(columns)
        self.default_type = default_type
        self.profile = profile
        typed = {column.target for column in columns if column.custom_key is None}
        self.split_os = profile.splits_os(typed)
        self.added = profile.added_fields(typed)
        # The class as the file wrote it is kept, whatever type it reads as.
        self.class_index = next((c.index for c in columns if c.target == "asset_type"), None)
        self.name_label = next((c.header for c in columns if c.target == "name"), "name")
        # (cell index, label for reasons, asset field or custom key, is custom, converter)
        self.plan: list[tuple[int, str, str, bool, Converter]] = []
        for column in columns:
            if not column.target:
                continue  # a column the person chose to ignore
            key = column.custom_key
            label = column.header or column.target
            table = (translations or {}).get(column.index)
            if key is not None:
                converter = _remembered(_translated(_custom_converter(key, column), table))
                self.plan.append((column.index, label, key, True, converter))
            else:
                converter = _typed_converter(column.target, column)
                converter = _remembered(_translated(converter, table))
                self.plan.append((column.index, label, column.target, False, converter))

    def __call__(self, number: int, cells: Sequence[Any]) -> AssetRow:
        width = len(cells)
        if width > self.width and any(clean_value(cell) for cell in cells[self.width :]):
            raise RowProblem(f"{width} values but the header has {self.width} columns")
        values: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        for index, label, target, is_custom, convert in self.plan:
            raw = cells[index] if index < width else None
            try:
                value = convert(raw)
            except ValueProblem as problem:
                raise RowProblem(f"{label}: {problem}", label, raw) from None
            if is_custom:
                custom[target] = value
            else:
                values[target] = value
        if self.class_index is not None and "source_class" not in custom:
            raw_class = clean_value(cells[self.class_index]) if self.class_index < width else None
            asset_type = values.get("asset_type")
            # A type as our export writes it ("Virtual machine") is no source class.
            if raw_class != asset_type and raw_class != asset_type_label(asset_type or ""):
                custom["source_class"] = raw_class
        for added in self.added:
            values.setdefault(added, None)
        try:
            self.profile.finish(values, custom, self.split_os)
        except SkippedRow as skipped:
            raise RowProblem(str(skipped), skipped.column, skipped.value) from None
        try:  # cleaned as every name core keeps (no control characters, no bidi controls)
            name = clean_text(values.get("name") or "", "name", label="the name").strip()
        except BadRequest as problem:
            raise RowProblem(problem.message, self.name_label, values.get("name")) from None
        if not name:
            raise RowProblem("no name: the name column is empty", self.name_label)
        values["name"] = name
        values["asset_type"] = values.get("asset_type") or self.default_type
        return AssetRow(number, name, values, custom)


def _translated(convert: Converter, table: Mapping[str, str] | None) -> Converter:
    """`convert`, reading a value the mapping translates ("PRD") as its translation."""
    if not table:
        return convert

    def translated(raw: Any) -> Any:
        text = clean_value(raw)
        found = table.get(text.casefold()) if text is not None else None
        return convert(raw if found is None else found)

    return translated


def _remembered(convert: Converter) -> Converter:
    """`convert`, remembering its result for the values a column repeats (a power state, a
    cluster, an OS): each is converted once per file. A column of mostly distinct values
    stops adding after MEMO_SIZE. Values that are refused are not remembered."""
    memo: dict[Any, Any] = {}

    def converted(raw: Any) -> Any:
        # The type is part of the key, as True == 1 == 1.0 yet each reads differently.
        key = raw if type(raw) is str else (type(raw), raw)
        try:
            return memo[key]
        except KeyError:
            pass
        value = convert(raw)
        if len(memo) < MEMO_SIZE:
            memo[key] = value
        return value

    return converted


def _typed_converter(field: str, column: ColumnTarget) -> Converter:
    if field in NUMBER_FIELDS:
        return _number_converter(field, column)
    if field == "asset_type":
        return lambda raw: normalize_asset_type(text) if (text := clean_value(raw)) else None
    limit = STRING_LIMITS.get(field, MAX_CELL_CHARS)

    def text_cell(raw: Any) -> str | None:
        text = clean_value(raw)
        if text is not None and len(text) > limit:
            raise RowProblem(f"longer than {limit} characters ({len(text)})")
        return text

    return text_cell


def _number_converter(field: str, column: ColumnTarget) -> Converter:
    attribute, factor = NUMBER_FIELDS[field], column.unit_factor

    def number_cell(raw: Any) -> float | int | None:
        number = parse_number(raw, attribute.unit, unit_factor=factor)
        if number is not None and number < 0:
            raise RowProblem(f"{shown(raw)} is negative")
        if number is None or not attribute.integer:
            return number
        if number != int(number):
            raise RowProblem(f"{shown(raw)} is not a whole number")
        if abs(number) > INT32:
            raise RowProblem(f"{shown(raw)} is too large")
        return int(number)

    return number_cell


def _custom_converter(key: str, column: ColumnTarget) -> Converter:
    too_long = len(key) > MAX_CUSTOM_KEY_CHARS
    attribute = BY_NAME.get(key)
    unit = attribute.unit if attribute is not None and attribute.question_type == "number" else None
    if unit is None and key in SIZE_FIELDS:
        unit = GIGABYTES  # sizes the catalogue does not ask for ("storage_used_gb")

    def custom_cell(raw: Any) -> Any:
        if too_long:
            raise RowProblem(f"the column name is longer than {MAX_CUSTOM_KEY_CHARS} characters")
        text = clean_value(raw)
        if text is not None and len(text) > MAX_CELL_CHARS:
            raise RowProblem(f"longer than {MAX_CELL_CHARS} characters ({len(text)})")
        if text is None or unit is None:
            return text
        try:
            number = parse_number(raw, unit, unit_factor=column.unit_factor)
        except ValueProblem:
            return text  # kept as written: the gap scan reports it as invalid
        if number is None:
            return text
        if number < 0 and key in SIZE_FIELDS:
            raise RowProblem(f"{shown(raw)} is negative")
        return int(number) if number == int(number) and abs(number) < 2**53 else number

    return custom_cell
