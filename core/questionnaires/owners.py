"""Who owns an open question: one reachable email address, the same for the answer grid, its
spreadsheets, and the requests mailed to owners (core/requests).

A question given to someone by hand (an assignment) is theirs. Otherwise the asset's technical
owner answers for infrastructure and technical-debt attributes, its business owner for business
and application ones, each the other's fallback. An owner value is reachable when it holds one
email address: `lee@x.org`, or a name with the address in angle brackets after it (as mail
headers write it). A question nobody reachable owns is unassigned.
"""

import re
from dataclasses import dataclass
from email.utils import parseaddr

from core.catalogue.attributes import get_attribute
from core.catalogue.schema import GapCategory
from core.kernel.errors import BadRequest

# One address: a local part, an @, a dotted domain; no spaces, commas, angle brackets or
# quotes, so a value like "a@x.org, b@y.org" or a display name with an address is not taken
# for more than it says.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_ADDRESS_LENGTH = 254
TECHNICAL_CATEGORIES = frozenset({GapCategory.INFRASTRUCTURE, GapCategory.TECHNICAL_DEBT})
UNASSIGNED = "unassigned"  # how a question without a reachable owner reads


@dataclass(frozen=True)
class Owner:
    email: str  # lower case: one owner whatever the case an inventory wrote it in
    name: str | None


def owner_of(value: object) -> Owner | None:
    """The reachable owner a value names, or None (no address, several, or a malformed one)."""
    if not isinstance(value, str) or "@" not in value or len(value) > 2 * MAX_ADDRESS_LENGTH:
        return None
    text = value.strip()
    if text.count("@") != 1 or "," in text or ";" in text:
        return None
    name, address = parseaddr(text)
    if not address or len(address) > MAX_ADDRESS_LENGTH or not _ADDRESS.match(address):
        return None
    if "<" not in text and address != text:
        return None
    shown = name.strip() or None
    return Owner(address.lower(), shown)


def parse_email(value: str, field: str = "email") -> str:
    """An address a person typed to assign questions to; a 400 naming `field` otherwise."""
    owner = owner_of(value)
    if owner is None:
        raise BadRequest("give one email address, such as lee@example.org", field=field)
    return owner.email


def owned_technically(category: GapCategory | str) -> bool:
    return category in TECHNICAL_CATEGORIES


def question_owner(
    category: GapCategory | str, technical_owner: object, business_owner: object
) -> Owner | None:
    """The owner of a question of this category on an asset with these owner values."""
    technical, business = owner_of(technical_owner), owner_of(business_owner)
    if owned_technically(category):
        return technical or business
    return business or technical


def owner_of_question(
    field_name: str, technical_owner: object, business_owner: object, assigned_to: str | None
) -> Owner | None:
    """The owner of the question about `field_name`: whom it was assigned to, else the asset's
    owner for that kind of attribute; None when nobody reachable owns it."""
    if assigned_to:
        return Owner(assigned_to, None)
    attribute = get_attribute(field_name)
    if attribute is None:
        return None
    return question_owner(attribute.category, technical_owner, business_owner)
