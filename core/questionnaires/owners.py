"""Who owns an open question: the person an asset names for that kind of attribute.

Infrastructure and technical-debt attributes are the technical owner's, business and
application ones the business owner's; when that one is missing, the other answers.
"""

from typing import Any

from core.catalogue.attributes import CriticalAttribute, GapCategory
from core.catalogue.text_values import clean_value, is_placeholder

TECHNICAL_CATEGORIES = frozenset({GapCategory.INFRASTRUCTURE, GapCategory.TECHNICAL_DEBT})


def owned_technically(attribute: CriticalAttribute) -> bool:
    return attribute.category in TECHNICAL_CATEGORIES


def _named(value: Any) -> str | None:
    """An owner as written on the asset, None when blank or a placeholder ("TBD")."""
    if not isinstance(value, str) or is_placeholder(value):
        return None
    return clean_value(value)


def owner_of(asset: Any, attribute: CriticalAttribute) -> str | None:
    """The owner of the question `attribute` asks about `asset`; None when it names nobody."""
    technical, business = _named(asset.technical_owner), _named(asset.business_owner)
    if owned_technically(attribute):
        return technical or business
    return business or technical
