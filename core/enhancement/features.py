"""What a prediction may lean on: an asset's known values, name tokens and placement.

An asset becomes an `AssetRecord`: its usable catalogue values (normalized) and its context,
the custom attributes that place it among others (cluster, folder, datacenter, network,
application, source tool...). Which context keys count is decided over the whole engagement:
a key shared by several assets is a grouping, a key unique to each asset (an IP, a serial)
is not. The hostname's word tokens (`web-prd-03` -> web, prd) are features too, so naming
conventions are learned rather than hard-coded.
"""

import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.catalogue.attributes import CATALOGUE, attributes_for, read_asset_value
from core.catalogue.values import normalize_answer

NAME_TOKEN = "name token"
SOURCE_FILE = "source file"
ASSET_TYPE = "asset type"
# A pair feature joins a grouping with a known choice ("application billing" and
# "environment production"): some values follow neither alone but both together.
PAIR = "\x1f"
# A context key is a grouping when its values repeat: at most this share are distinct.
MAX_DISTINCT_SHARE = 0.5
MAX_CONTEXT_VALUE_LENGTH = 80
# Numbers as features would learn coincidences ("13.7 GB -> owner X"); sizes are predicted,
# not leaned on.
_FEATURE_ATTRIBUTES = {a.name: a for a in CATALOGUE if a.question_type == "select"} | {
    a.name: a for a in CATALOGUE if a.name in ("os_version", "technology_stack", "business_owner")
}
# The choices a grouping is paired with: few options, so pairs still have peers.
_PAIRED_ATTRIBUTES = frozenset(a.name for a in CATALOGUE if a.question_type == "select")
_CATALOGUE_KEYS = frozenset(a.source_field for a in CATALOGUE)
_TOKEN = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class AssetRecord:
    """One asset as the model reads it: usable values by attribute, context by key."""

    asset_id: uuid.UUID
    name: str
    asset_type: str
    values: dict[str, Any] = field(default_factory=dict)
    context: dict[str, str] = field(default_factory=dict)


def record_from_row(row: Any, source_file: str | None = None) -> AssetRecord:
    """An asset (ORM object or scan row) as a record; unusable values are left out. The file
    it was imported from tells which tool discovered it (RVTools, a CMDB, a cloud export)."""
    values: dict[str, Any] = {}
    for attribute in attributes_for(row.asset_type):
        value, problem = normalize_answer(attribute, read_asset_value(row, attribute))
        if problem is None:
            values[attribute.name] = value
    context = {
        str(key): str(value).strip()
        for key, value in (row.custom_attributes or {}).items()
        if key not in _CATALOGUE_KEYS
        and isinstance(value, str | int)
        and not isinstance(value, bool)
        and 0 < len(str(value).strip()) <= MAX_CONTEXT_VALUE_LENGTH
    }
    if source_file:
        context[SOURCE_FILE] = source_file[:MAX_CONTEXT_VALUE_LENGTH]
    return AssetRecord(row.id, row.name, row.asset_type, values, context)


def name_tokens(name: str) -> list[str]:
    """Word tokens of a hostname, digits dropped: 'WEB-prd-03.corp' -> ['web', 'prd', 'corp']."""
    return sorted({token for token in _TOKEN.findall(name.lower()) if 2 <= len(token) <= 12})


def grouping_keys(records: Sequence[AssetRecord]) -> frozenset[str]:
    """The context keys whose values repeat across assets, so they group them."""
    seen: dict[str, Counter] = {}
    for record in records:
        for key, value in record.context.items():
            seen.setdefault(key, Counter())[value] += 1
    return frozenset(
        key
        for key, values in seen.items()
        if values.total() >= 2 and len(values) <= max(1, MAX_DISTINCT_SHARE * values.total())
    )


Feature = tuple[str, str]  # (kind or key, value); e.g. ("cluster", "PROD-A")


def features_of(record: AssetRecord, grouping: Iterable[str]) -> list[Feature]:
    """Every feature of an asset; the target attribute's own is dropped by the caller."""
    found: list[Feature] = [(ASSET_TYPE, record.asset_type)]
    found.extend((NAME_TOKEN, token) for token in name_tokens(record.name))
    # In a fixed order: held-out passes draw which features an asset lacks in this order.
    keys = sorted(grouping)
    found.extend((key, record.context[key]) for key in keys if key in record.context)
    known = [
        (name, str(value)) for name, value in record.values.items() if name in _FEATURE_ATTRIBUTES
    ]
    found.extend(known)
    groups = [(key, record.context[key]) for key in keys if key in record.context]
    found.extend(
        (f"{key}{PAIR}{name}", f"{group.replace(PAIR, ' ')}{PAIR}{value.replace(PAIR, ' ')}")
        for key, group in groups
        if key != SOURCE_FILE
        for name, value in known
        if name in _PAIRED_ATTRIBUTES
    )
    return found


def parts_of(feature: Feature) -> tuple[Feature, ...]:
    """The single features a feature is made of: itself, or the two of a pair."""
    kind, value = feature
    if PAIR not in kind:
        return (feature,)
    key, name = kind.split(PAIR, 1)
    group, choice = value.split(PAIR, 1)
    return (key, group), (name, choice)


def leans_on(feature: Feature, attribute_name: str) -> bool:
    """Whether the feature is (or holds) the attribute's own value."""
    return feature[0] == attribute_name or feature[0].endswith(PAIR + attribute_name)


def describe_feature(feature: Feature) -> str:
    """The feature in words: "cluster PROD-A", "operating system family Linux",
    "application billing with environment production"."""
    if PAIR in feature[0]:
        return " with ".join(describe_feature(part) for part in parts_of(feature))
    kind, value = feature
    attribute = _FEATURE_ATTRIBUTES.get(kind)
    if attribute is not None:
        return f"{attribute.label[0].lower()}{attribute.label[1:]} {value}"
    return f"{kind.replace('_', ' ')} {value}"


_PLURALS = {
    "server": "servers",
    "virtual_machine": "VMs",
    "database": "databases",
    "application": "applications",
    "network": "network devices",
    "storage": "storage systems",
}


def plural_of(asset_types: Iterable[str]) -> str:
    """'VMs' when all are virtual machines, 'assets' when the kinds are mixed."""
    kinds = set(asset_types)
    return _PLURALS.get(kinds.pop(), "assets") if len(kinds) == 1 else "assets"
