"""One server, two spellings: its short name in one file ("web-01") and its FQDN in another
("web-01.corp.example.com").

When rows are keyed by the name, a row whose name is not stored is matched to a stored asset
named by the other spelling when both hold one of the same IP addresses: it updates that asset
(keeping the asset's name; an FQDN the row was named by is kept as `fqdn`) instead of making a
second one. Without a shared address the two stay two assets (a short name may repeat across
domains).
"""

import ipaddress
import re
from collections.abc import Sequence
from typing import Any

from core.inventory.rows import AssetRow
from core.storage.assets import AssetRepository

_ADDRESS_SPLIT = re.compile(r"[\s,;|\[\]]+")


def short_name(name: str) -> str:
    """'web-01.corp.example.com' -> 'web-01'; a name without a domain (or an address) as it is."""
    if "." not in name or _is_address(name):
        return name
    return name.split(".", 1)[0]


def addresses(value: Any) -> frozenset[str]:
    """The IP addresses a cell lists ('10.0.0.1, fe80::1'), normalized; others left out."""
    if not isinstance(value, str):
        return frozenset()
    found = set()
    for part in _ADDRESS_SPLIT.split(value):
        try:
            found.add(str(ipaddress.ip_address(part)))
        except ValueError:
            continue
    return frozenset(found)


def match_other_spellings(
    assets: AssetRepository,
    batch: Sequence[AssetRow],
    stored: dict[str, Any],
    columns: Sequence[str],
    *,
    for_update: bool = False,
) -> None:
    """Renames in place each row of `batch` not in `stored` that is a stored asset under its
    other spelling (same IP), and adds that asset to `stored`."""
    names = {row.name for row in batch}
    missing = [
        row for row in batch if row.name not in stored and addresses(row.custom.get("ip_address"))
    ]
    if not missing:
        return
    shorts = {short_name(row.name) for row in missing} - {row.name for row in missing}
    by_short = assets.rows_by_name(sorted(shorts), columns, for_update=for_update)
    plain = sorted({row.name for row in missing if short_name(row.name) == row.name})
    prefixed = assets.rows_by_name_prefix(
        [f"{name}." for name in plain], columns, for_update=for_update
    )
    candidates: dict[str, list[Any]] = {}
    for found in (*by_short.values(), *prefixed.values()):
        candidates.setdefault(short_name(found.name), []).append(found)
    claimed: set[str] = set()
    for row in missing:
        wanted = addresses(row.custom.get("ip_address"))
        for existing in candidates.get(short_name(row.name), []):
            if existing.name in names or existing.name in claimed or existing.name == row.name:
                continue
            held = addresses((existing.custom_attributes or {}).get("ip_address"))
            if not wanted & held:
                continue
            if row.name != short_name(row.name) and not row.custom.get("fqdn"):
                row.custom["fqdn"] = row.name
            row.name = existing.name
            row.values["name"] = existing.name
            stored[existing.name] = existing
            claimed.add(existing.name)
            break


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
