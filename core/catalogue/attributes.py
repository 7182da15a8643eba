"""The critical-attribute catalogue as core reads it: by name, by asset type, on an asset.

The attributes themselves are in `definitions`, what an attribute is in `schema`; both are
re-exported here, the one import for the rest of core.
"""

from functools import cache
from typing import Any

from core.catalogue.definitions import CATALOGUE
from core.catalogue.schema import (
    ASSET_TYPES,
    TYPED_ASSET_FIELD_ORDER,
    TYPED_ASSET_FIELDS,
    CriticalAttribute,
    GapCategory,
    GapType,
)

__all__ = [
    "ASSET_TYPES",
    "BY_NAME",
    "CATALOGUE",
    "TYPED_ASSET_FIELDS",
    "TYPED_ASSET_FIELD_ORDER",
    "CriticalAttribute",
    "GapCategory",
    "GapType",
    "asset_field_values",
    "attributes_for",
    "get_attribute",
    "question_for",
    "read_asset_value",
]

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
