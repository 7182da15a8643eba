"""What a person changed in a file's detected mapping: a column remapped, ignored, its unit set,
or its values translated ("PRD" -> production).

Choices name columns by their header as the file writes it. A target is an asset field
("memory_gb", "fqdn"), a custom attribute ("custom_attributes.rack") or "ignore"; a unit is a
size unit ("mb", "gib", ...) for a size column; a translation maps a value as the file writes it
(compared whatever its case and surrounding blanks) to the value stored. They are checked here, at the edge, and then
win over both the alias table and the source profile.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.catalogue.attributes import CATALOGUE, TYPED_ASSET_FIELDS
from core.inventory.column_mapping import CUSTOM_PREFIX, UNIT_FACTORS_TO_GB, normalize_header
from core.inventory.header_aliases import EXTRA_ALIASES
from core.kernel.errors import BadRequest

IGNORE = "ignore"
FIELDS = ("name", "asset_type", *TYPED_ASSET_FIELDS, *(a.name for a in CATALOGUE),
          *EXTRA_ALIASES)  # fmt: skip
TARGETS = tuple(dict.fromkeys(FIELDS))  # every field a column can be mapped to, in order
UNITS = tuple(UNIT_FACTORS_TO_GB)
MAX_CHOICES = 500
MAX_VALUE_CHARS = 200
_CUSTOM_KEY = re.compile(r"[^\W_][\w\-. ]{0,199}")


@dataclass(frozen=True)
class MappingChoices:
    columns: Mapping[str, str] = field(default_factory=dict)  # header -> target or IGNORE
    units: Mapping[str, str] = field(default_factory=dict)  # header -> size unit
    # header -> {the file's value -> the value stored}
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, columns: Any = None, units: Any = None, values: Any = None) -> "MappingChoices":
        """Checked choices, or BadRequest naming the first that cannot be."""
        checked_columns = {
            _header(h): _target(h, t) for h, t in _pairs(columns, "mapping").items() if t
        }
        checked_units = {_header(h): _unit(h, u) for h, u in _pairs(units, "units").items() if u}
        checked_values = {
            _header(h): _translations(h, t) for h, t in _pairs(values, "values").items() if t
        }
        return cls(checked_columns, checked_units, checked_values)

    def with_columns(self, columns: Mapping[str, str]) -> "MappingChoices":
        """These choices with more column targets, which win over the ones held."""
        extra = MappingChoices.parse(columns)
        return MappingChoices({**self.columns, **extra.columns}, self.units, self.values)

    def translations_by_normalized_header(self) -> dict[str, dict[str, str]]:
        """Per column, the file's value in lower case -> the value stored."""
        return {
            normalize_header(h): {raw.strip().casefold(): to for raw, to in table.items()}
            for h, table in self.values.items()
        }

    def by_normalized_header(self) -> tuple[dict[str, str], dict[str, str]]:
        """The choices keyed as the column mapping looks headers up."""
        return (
            {normalize_header(h): t for h, t in self.columns.items()},
            {normalize_header(h): u for h, u in self.units.items()},
        )

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {
            "columns": dict(self.columns),
            "units": dict(self.units),
            "values": {h: dict(t) for h, t in self.values.items()},
        }


def _pairs(value: Any, what: str) -> dict[Any, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or len(value) > MAX_CHOICES:
        raise BadRequest(f"the {what} must be at most {MAX_CHOICES} columns", field=what)
    return dict(value)


def _header(header: Any) -> str:
    if not isinstance(header, str) or not header.strip() or len(header) > 500:
        raise BadRequest("a mapped column must be named by its header", field="mapping")
    return header.strip()


def _target(header: str, target: Any) -> str:
    text = str(target).strip()
    if text == IGNORE or text in TARGETS:
        return text
    if text.startswith(CUSTOM_PREFIX) and _CUSTOM_KEY.fullmatch(text[len(CUSTOM_PREFIX) :]):
        return text
    raise BadRequest(
        f"{header!r} cannot be mapped to {text[:60]!r}: choose an asset field,"
        f" '{CUSTOM_PREFIX}KEY' or '{IGNORE}'",
        field="mapping",
    )


def _unit(header: str, unit: Any) -> str:
    text = str(unit).strip().lower()
    if text not in UNIT_FACTORS_TO_GB:
        units = ", ".join(UNITS)
        raise BadRequest(f"{header!r}: {text[:20]!r} is no size unit ({units})", field="units")
    return text


def _translations(header: str, table: Any) -> dict[str, str]:
    pairs = _pairs(table, "values")
    checked = {}
    for raw, to in pairs.items():
        source, target = str(raw).strip(), str(to).strip() if to is not None else ""
        if not source or not target or max(len(source), len(target)) > MAX_VALUE_CHARS:
            raise BadRequest(
                f"{header!r}: a translation takes a value of 1 to {MAX_VALUE_CHARS} characters"
                " to another",
                field="values",
            )
        checked[source] = target
    return checked
