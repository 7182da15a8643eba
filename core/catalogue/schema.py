"""What a critical attribute is: its category, the gap types, the asset types it applies to.

Each attribute says which asset types need it, where its value lives on an asset (a typed
column or a key of `custom_attributes`), how urgent a gap is, how it bears on the six-R
decision, the question it becomes when someone must supply it, and for numbers their unit.
"""

from dataclasses import dataclass
from enum import StrEnum

from core.catalogue.numbers import COUNT, Unit

# How a gap's priority reads, the same on every page: the word first, the number after.
PRIORITY_LABELS = {1: "Critical (P1)", 2: "High (P2)", 3: "Medium (P3)", 4: "Low (P4)"}


def priority_label(priority: int) -> str:
    return PRIORITY_LABELS.get(priority, f"P{priority}")


class GapCategory(StrEnum):
    INFRASTRUCTURE = "infrastructure"
    APPLICATION = "application"
    BUSINESS = "business"
    TECHNICAL_DEBT = "technical_debt"


class GapType(StrEnum):
    MISSING = "missing"
    INVALID = "invalid"


ASSET_TYPES = (
    "server",
    "virtual_machine",
    "database",
    "application",
    "network",
    "storage",
    "other",
)

# Columns of `assets` that hold catalogue values, in display order; the rest live in
# custom_attributes.
TYPED_ASSET_FIELD_ORDER = (
    "operating_system",
    "os_version",
    "cpu_cores",
    "memory_gb",
    "storage_gb",
    "environment",
    "technology_stack",
    "business_criticality",
    "business_owner",
    "technical_owner",
)
TYPED_ASSET_FIELDS = frozenset(TYPED_ASSET_FIELD_ORDER)


@dataclass(frozen=True)
class CriticalAttribute:
    name: str
    label: str
    category: GapCategory
    priority: int  # 1 critical .. 4 nice to have
    asset_types: tuple[str, ...]
    question_type: str  # select | number | text
    sixr_impact: str  # high | medium | low
    help: str
    options: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    max_length: int = 255
    unit: Unit = COUNT  # numbers only: what they are counted or measured in
    field: str = ""  # where the value lives; defaults to `name`

    @property
    def source_field(self) -> str:
        return self.field or self.name

    @property
    def is_typed_column(self) -> bool:
        return self.source_field in TYPED_ASSET_FIELDS

    def applies_to(self, asset_type: str) -> bool:
        return asset_type in self.asset_types
