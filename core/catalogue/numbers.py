"""A number as people write it, in the unit of the field it is for: the one number parser.

Every number that reaches core goes through `parse_number`: an inventory cell, a value
stored on an asset (the gap scan), a questionnaire answer. It reads a decimal point or
comma and thousands grouped by comma, point, space or apostrophe ("2,5", "1.234,5",
"1,234.5", "1 234"), and converts a unit written after the number to the field's own
("16384 MB" is 16 GB). A number that reads neither way is refused, saying why.
"""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from types import MappingProxyType
from typing import Any

from core.catalogue.text_values import ValueProblem, is_placeholder, shown

MAX_MAGNITUDE = 1e15  # beyond any inventory's numbers, and exact in a float


@dataclass(frozen=True)
class Unit:
    """What a field's numbers are counted or measured in, and how a cell may spell a unit."""

    name: str  # as people read it: "GB", "cores", "%"; "" for a plain count
    # spelling (lower case) -> factor that makes a number in that spelling one of `name`
    factors: Mapping[str, float] = field(default_factory=dict, compare=False)


def _unit(name: str, factors: dict[str, float]) -> Unit:
    return Unit(name, MappingProxyType(factors))


COUNT = _unit("", {})
CORES = _unit("cores", dict.fromkeys(("core", "cores", "vcpu", "vcpus", "cpu", "cpus"), 1.0))
GIGABYTES = _unit(
    "GB",
    {
        "bytes": 1 / 1024**3,  # FlexNet's TotalMemory, WMI's TotalPhysicalMemory
        "kb": 1 / 1024**2,
        "kib": 1 / 1024**2,
        "mb": 1 / 1024,
        "mib": 1 / 1024,
        "megabytes": 1 / 1024,
        "gb": 1.0,
        "gib": 1.0,
        "gigabytes": 1.0,
        "tb": 1024.0,
        "tib": 1024.0,
        "terabytes": 1024.0,
    },
)

_SEPARATORS = r"[\d.,'\s\u00a0\u202f]"
_NUMBER = re.compile(rf"^([-+]?{_SEPARATORS}*\d{_SEPARATORS}*?)\s*([a-zA-Z%]*)$")
_GROUP_SPACES = re.compile(r"[\s'\u00a0\u202f]")  # only ever group thousands
_DIGITS = re.compile(r"\d+")
_NEITHER_WAY = "its separators read neither as 1,234.5 nor as 1.234,5"


def parse_number(raw: Any, unit: Unit = COUNT, *, unit_factor: float = 1.0) -> float | None:
    """`raw` as a number of `unit`; None when empty or a placeholder; ValueProblem if not one.

    `unit_factor` converts a number written without a unit (a column read in MB: 1/1024).
    """
    if type(raw) is not str:  # a cell of a spreadsheet, or a value stored as a number
        if raw is None:
            return None
        if isinstance(raw, bool | date | time):
            raise ValueProblem(f"{shown(raw)} is not a number")
        if isinstance(raw, int | float):
            if isinstance(raw, int) and abs(raw) > MAX_MAGNITUDE:  # float() may overflow
                raise ValueProblem(f"{shown(raw)} is out of range")
            return _scaled(float(raw), unit_factor, raw)
    text = str(raw).strip()
    plain = _plain_float(text)
    if plain is not None:
        return _scaled(plain, unit_factor, raw)
    if is_placeholder(text):
        return None
    match = _NUMBER.match(text)
    if match is None:
        raise ValueProblem(f"{shown(raw)} is not a number")
    number = _read_digits(match.group(1).strip(), raw)
    spelled = match.group(2)
    if not spelled:
        return _scaled(number, unit_factor, raw)
    if spelled.lower() not in unit.factors:
        if not unit.name:
            raise ValueProblem(f"{shown(raw)} is not a number")
        raise ValueProblem(f"{shown(raw)} has a unit that cannot be read as {unit.name}")
    return _scaled(number, unit.factors[spelled.lower()], raw)


def _plain_float(text: str) -> float | None:
    """The common case, "16" or "2.5", without the regular expression; None otherwise."""
    if not text or not (text[0].isdigit() or text[0] in "-+.") or "_" in text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _scaled(number: float, factor: float, raw: Any) -> float:
    if not math.isfinite(number):
        raise ValueProblem(f"{shown(raw)} is not a finite number")
    if abs(number) > MAX_MAGNITUDE:
        raise ValueProblem(f"{shown(raw)} is out of range")
    if factor != 1.0:
        return round(number * factor, 4)
    return number


def _read_digits(digits: str, raw: Any) -> float:
    """'1.234,5' -> 1234.5: the decimal separator is told from the grouping one, or refused."""
    sign = digits[0] if digits[0] in "+-" else ""
    body = digits[len(sign) :]
    decimal = _decimal_separator(body, raw)
    whole, _, fraction = body.rpartition(decimal) if decimal else (body, "", "")
    if decimal and not whole and not fraction:
        raise ValueProblem(f"{shown(raw)} is not a number")
    groups = re.split(r"[.,]|" + _GROUP_SPACES.pattern, whole)
    if fraction and not fraction.isdigit():
        raise ValueProblem(f"{shown(raw)} is not a number: {_NEITHER_WAY}")
    if len(groups) > 1 and not _grouped_by_thousands(groups):
        raise ValueProblem(f"{shown(raw)} is not a number: {_NEITHER_WAY}")
    try:
        return float(f"{sign}{''.join(groups) or '0'}.{fraction or '0'}")
    except ValueError:
        raise ValueProblem(f"{shown(raw)} is not a number") from None


def _decimal_separator(body: str, raw: Any) -> str:
    """ "," or "." when one of them separates decimals, else ""."""
    commas, points = body.count(","), body.count(".")
    if commas and points:
        # The later one is the decimal separator ("1,234.5", "1.234,5"), and there is one.
        last = "," if body.rfind(",") > body.rfind(".") else "."
        if body.count(last) > 1:
            raise ValueProblem(f"{shown(raw)} is not a number: {_NEITHER_WAY}")
        return last
    if commas == 1 or points == 1:
        separator = "," if commas else "."
        whole, _, fraction = body.rpartition(separator)
        # "1,024" groups thousands as people write them; "0,500" and "2,5" are decimals.
        grouped = len(fraction) == 3 and whole.strip() and not whole.lstrip().startswith("0")
        return "" if separator == "," and grouped else separator
    return ""  # none, or a separator repeated: it can only group thousands


def _grouped_by_thousands(groups: list[str]) -> bool:
    first, rest = groups[0], groups[1:]
    return (
        _DIGITS.fullmatch(first) is not None
        and len(first) <= 3
        and not first.startswith("0")
        and all(len(group) == 3 and group.isdigit() for group in rest)
    )
