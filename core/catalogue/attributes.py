"""The critical-attribute catalogue: what an assessment needs to know about each asset.

Each attribute says which asset types need it, where its value lives on an asset (a typed
column or a key of `custom_attributes`), how urgent a gap is, how it bears on the six-R
decision, and the question it becomes when someone must supply it.
"""

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any


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

# What real inventories put where a value should be.
PLACEHOLDERS = frozenset(
    {"", "tbd", "tbc", "n/a", "na", "none", "null", "unknown", "?", "-", "--", "todo", "xxx"}
)

HOSTS = ("server", "virtual_machine")
COMPUTE = ("server", "virtual_machine", "database")
EVERYTHING = ASSET_TYPES


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
    field: str = ""  # where the value lives; defaults to `name`

    @property
    def source_field(self) -> str:
        return self.field or self.name

    @property
    def is_typed_column(self) -> bool:
        return self.source_field in TYPED_ASSET_FIELDS

    def applies_to(self, asset_type: str) -> bool:
        return asset_type in self.asset_types


C = GapCategory
CATALOGUE: tuple[CriticalAttribute, ...] = (
    # Infrastructure: what a landing zone must be sized for.
    CriticalAttribute(
        "operating_system",
        "Operating system family",
        C.INFRASTRUCTURE,
        1,
        COMPUTE,
        "select",
        "high",
        "Decides rehost versus replatform and licence costs.",
        options=("Linux", "Windows", "AIX", "Solaris", "HP-UX", "Other"),
    ),
    CriticalAttribute(
        "os_version",
        "Operating system version",
        C.INFRASTRUCTURE,
        2,
        HOSTS,
        "text",
        "high",
        "Versions out of support cannot be rehosted as they are.",
        max_length=100,
    ),
    CriticalAttribute(
        "cpu_cores",
        "CPU cores",
        C.INFRASTRUCTURE,
        1,
        COMPUTE,
        "number",
        "medium",
        "Sizes the target instance.",
        minimum=1,
        maximum=1024,
        integer=True,
    ),
    CriticalAttribute(
        "memory_gb",
        "Memory (GB)",
        C.INFRASTRUCTURE,
        1,
        COMPUTE,
        "number",
        "medium",
        "Sizes the target instance.",
        minimum=0.5,
        maximum=24576,
    ),
    CriticalAttribute(
        "storage_gb",
        "Storage (GB)",
        C.INFRASTRUCTURE,
        2,
        (*COMPUTE, "storage"),
        "number",
        "medium",
        "Sizes disks and the data transfer.",
        minimum=1,
        maximum=1_000_000,
    ),
    CriticalAttribute(
        "network_zone",
        "Network zone",
        C.INFRASTRUCTURE,
        3,
        (*HOSTS, "network"),
        "select",
        "low",
        "Places the asset in the landing zone.",
        options=("dmz", "internal", "restricted", "management"),
    ),
    CriticalAttribute(
        "virtualization_platform",
        "Virtualization platform",
        C.INFRASTRUCTURE,
        3,
        HOSTS,
        "select",
        "low",
        "Physical hosts need a different move.",
        options=("vmware", "hyper-v", "kvm", "physical", "other"),
    ),
    # Application: what runs and what it talks to.
    CriticalAttribute(
        "technology_stack",
        "Technology stack",
        C.APPLICATION,
        1,
        ("application", "database"),
        "text",
        "high",
        "Decides refactor, replatform or repurchase.",
        max_length=255,
    ),
    CriticalAttribute(
        "application_version",
        "Application version",
        C.APPLICATION,
        3,
        ("application",),
        "text",
        "low",
        "Checks vendor support on the target.",
        max_length=50,
    ),
    CriticalAttribute(
        "database_engine",
        "Database engine",
        C.APPLICATION,
        1,
        ("database",),
        "select",
        "high",
        "Decides the managed database service to move to.",
        options=("postgresql", "mysql", "oracle", "sql_server", "db2", "mongodb", "other"),
    ),
    CriticalAttribute(
        "integration_dependencies",
        "Integration dependencies",
        C.APPLICATION,
        2,
        ("application", "database"),
        "text",
        "high",
        "Assets that must move in the same wave.",
        max_length=500,
    ),
    CriticalAttribute(
        "data_volume_gb",
        "Data volume (GB)",
        C.APPLICATION,
        3,
        ("database", "storage"),
        "number",
        "medium",
        "Decides online or offline data transfer.",
        minimum=0,
        maximum=10_000_000,
    ),
    # Business: who decides and how much it matters.
    CriticalAttribute(
        "business_owner",
        "Business owner",
        C.BUSINESS,
        1,
        EVERYTHING,
        "text",
        "high",
        "Who signs off the move.",
        max_length=255,
    ),
    CriticalAttribute(
        "technical_owner",
        "Technical owner",
        C.BUSINESS,
        2,
        EVERYTHING,
        "text",
        "medium",
        "Who answers technical questions.",
        max_length=255,
    ),
    CriticalAttribute(
        "business_criticality",
        "Business criticality",
        C.BUSINESS,
        1,
        EVERYTHING,
        "select",
        "high",
        "Orders the waves and the downtime allowed.",
        options=("low", "medium", "high", "critical"),
    ),
    CriticalAttribute(
        "environment",
        "Environment",
        C.BUSINESS,
        1,
        EVERYTHING,
        "select",
        "medium",
        "Production moves last and with a rollback plan.",
        options=("production", "staging", "test", "development", "dr"),
    ),
    CriticalAttribute(
        "compliance_requirements",
        "Compliance requirements",
        C.BUSINESS,
        2,
        ("application", "database", "storage"),
        "select",
        "high",
        "Regulated data limits regions and services.",
        options=("none", "pci", "hipaa", "sox", "gdpr", "other"),
    ),
    # Technical debt: what makes a straight move risky.
    CriticalAttribute(
        "end_of_support_date",
        "End of support date",
        C.TECHNICAL_DEBT,
        2,
        (*HOSTS, "database", "application"),
        "text",
        "medium",
        "Unsupported platforms are upgraded on the way (YYYY-MM-DD).",
        max_length=10,
    ),
    CriticalAttribute(
        "architecture_pattern",
        "Architecture pattern",
        C.TECHNICAL_DEBT,
        3,
        ("application",),
        "select",
        "high",
        "Monoliths rarely refactor cheaply.",
        options=("monolith", "n-tier", "microservices", "soa", "batch", "other"),
    ),
    CriticalAttribute(
        "technical_debt_score",
        "Technical debt score (1-10)",
        C.TECHNICAL_DEBT,
        4,
        ("application",),
        "number",
        "medium",
        "10 means a rewrite is cheaper than a move.",
        minimum=1,
        maximum=10,
        integer=True,
    ),
    CriticalAttribute(
        "known_vulnerabilities",
        "Open security findings",
        C.TECHNICAL_DEBT,
        2,
        (*HOSTS, "application"),
        "number",
        "medium",
        "Findings to fix before or during the move.",
        minimum=0,
        maximum=100_000,
        integer=True,
    ),
)

BY_NAME: dict[str, CriticalAttribute] = {attribute.name: attribute for attribute in CATALOGUE}


@cache
def attributes_for(asset_type: str) -> tuple[CriticalAttribute, ...]:
    return tuple(attribute for attribute in CATALOGUE if attribute.applies_to(asset_type))


def get_attribute(name: str) -> CriticalAttribute | None:
    return BY_NAME.get(name)


def read_asset_value(asset: Any, attribute: CriticalAttribute) -> Any:
    if attribute.is_typed_column:
        return getattr(asset, attribute.source_field)
    return (asset.custom_attributes or {}).get(attribute.source_field)


def asset_field_values(asset: Any, attribute: CriticalAttribute, value: Any) -> dict[str, Any]:
    """The column updates that write a normalized value back to an asset."""
    if attribute.is_typed_column:
        return {attribute.source_field: value}
    custom = dict(asset.custom_attributes or {})
    custom[attribute.source_field] = value
    return {"custom_attributes": custom}


def question_for(attribute: CriticalAttribute) -> dict[str, Any]:
    """The question a gap on this attribute becomes (without gap-specific parts)."""
    question: dict[str, Any] = {
        "field_name": attribute.name,
        "label": attribute.label,
        "type": attribute.question_type,
        "required": attribute.priority == 1,
        "help": attribute.help,
    }
    if attribute.options:
        question["options"] = list(attribute.options)
    if attribute.question_type == "number":
        question.update(
            minimum=attribute.minimum, maximum=attribute.maximum, integer=attribute.integer
        )
    return question
