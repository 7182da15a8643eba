"""What tells one row of an inventory from another: the name, or a key column chosen for it.

By default a row is its asset's name, and a name seen twice is a duplicate. A file whose names
repeat (one VM name in two vCenters, assets named by model) is imported with a key: a column
such as the asset tag, the VM UUID or the FQDN, or the name together with a column
("name+datacenter"). Rows are then told apart by the key; a name the file holds more than once
is stored as "name (key value)", so a re-import of the file finds the same assets again.

Rows repeating one key with a time column between them are a time series (one VM sampled
hourly): the first row is imported and the others are reported once, as such.
"""

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.catalogue.text_values import clean_value
from core.inventory.column_mapping import ColumnTarget, normalize_header
from core.inventory.rows import AssetRow, RowProblem
from core.kernel.errors import BadRequest

# The choices the Import page offers, besides any column of the file.
KEY_CHOICES = ("name", "asset_tag", "vm_uuid", "fqdn", "name+datacenter", "name+vcenter")
MAX_NAME_CHARS = 255
# A sample's time ("Timestamp", "Time", "Date"), not a fact's date ("Purchase Date").
_TIME_HEADER = re.compile(
    r"^(date|time|datetime|date_time|sample_time|sampled_at|collected_at|collection_time"
    r"|snapshot_time|poll_time|interval_start)$|timestamp"
)


def _column_for(spec: str, columns: Sequence[ColumnTarget]) -> ColumnTarget:
    wanted = spec.strip()
    for matches in (
        lambda c: c.header.strip().lower() == wanted.lower(),
        lambda c: normalize_header(c.header) == normalize_header(wanted),
        lambda c: (c.custom_key or c.target) == normalize_header(wanted),
    ):
        found = next((column for column in columns if matches(column)), None)
        if found is not None:
            return found
    shown = ", ".join(repr(c.header) for c in columns[:12])
    raise BadRequest(
        f"the file has no column {wanted!r} to key rows by ({shown}, ...)", field="key"
    )


@dataclass
class RowKeys:
    """Keys rows as they are read; duplicates raise RowProblem, time series are gathered."""

    columns: Sequence[ColumnTarget]
    spec: str | None = None
    key_index: int | None = None  # the key column (None: the name alone)
    with_name: bool = False  # the key is the name and that column
    key_label: str = "name"
    name_counts: Counter[str] = field(default_factory=Counter)
    time_index: int | None = None
    _first_row: dict[str, int] = field(default_factory=dict)
    _series: dict[str, list[Any]] = field(default_factory=dict)  # key -> [rows, first, last]
    _first_moment: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        spec = (self.spec or "name").strip()
        if normalize_header(spec) != "name":
            self.with_name = spec.lower().startswith("name+")
            column = _column_for(spec[5:] if self.with_name else spec, self.columns)
            self.key_index = column.index
            self.key_label = f"name and {column.header}" if self.with_name else column.header
        self.time_index = next(
            (c.index for c in self.columns if _TIME_HEADER.search(normalize_header(c.header))),
            None,
        )
        self._name_index = next((c.index for c in self.columns if c.target == "name"), None)

    @property
    def counts_names(self) -> bool:
        return self.key_index is not None

    def count_names(self, rows: Iterable[tuple[int, Sequence[Any]]]) -> int:
        """Notes how often each name occurs (a key other than the name needs it); the rows."""
        names = (_cell(cells, self._name_index) or "" for _number, cells in rows)
        self.name_counts.update(names)
        return self.name_counts.total()

    def claim(self, number: int, row: AssetRow, cells: Sequence[Any]) -> bool:
        """Keys the row (renaming it when its name repeats); False for a time-series repeat."""
        key = row.name
        if self.key_index is not None:
            value = _cell(cells, self.key_index)
            if value is None:
                raise RowProblem(f"no key: the column {self.key_label!r} is empty", self.key_label)
            key = f"{row.name}\x1f{value}" if self.with_name else value
            if self.name_counts[row.name] > 1:
                row.name = f"{row.name} ({value})"
                row.values["name"] = row.name
                if len(row.name) > MAX_NAME_CHARS:
                    raise RowProblem(f"the name with its key is longer than {MAX_NAME_CHARS}")
        moment = _cell(cells, self.time_index) if self.time_index is not None else None
        if key not in self._first_row:
            self._first_row[key] = number
            if moment is not None:
                self._first_moment[key] = moment
            return True
        if moment is None or self._first_moment.get(key) in (None, moment):
            first = self._first_row[key]
            what = "name" if self.key_index is None else "key"
            raise RowProblem(
                f"duplicate {what} {_shown(key)!r} (first on row {first})",
                self.key_label,
                _shown(key),
            )
        first_moment = self._first_moment[key] or moment
        series = self._series.setdefault(key, [0, first_moment, first_moment])
        series[0] += 1
        series[1], series[2] = min(series[1], moment), max(series[2], moment)
        return False

    def series_entries(self) -> list[dict[str, Any]]:
        """One report line per time series: its rows beyond the first were not imported."""
        return [
            {
                "row": self._first_row[key],
                "column": self.key_label,
                "value": _shown(key),
                "reason": f"time series: {rows + 1} rows of {_shown(key)!r} from {first} to"
                f" {last}; the first row was imported",
            }
            for key, (rows, first, last) in self._series.items()
        ]


def _cell(cells: Sequence[Any], index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    return clean_value(cells[index])


def _shown(key: str) -> str:
    return key.replace("\x1f", " / ")
