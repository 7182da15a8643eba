"""Source profiles: which tool wrote an inventory, and how that tool's export reads.

`detect_profile` tries each profile on the header row (and a workbook's sheet names), most
specific first; a file no tool's profile claims is a plain sheet.
"""

from collections.abc import Sequence

from core.inventory.column_mapping import normalize_header
from core.inventory.profiles.cmdb import DEVICE42, FLEXERA, LANSWEEPER, SERVICENOW
from core.inventory.profiles.migrate_export import MIGRATE_EXPORT
from core.inventory.profiles.profile import Profile, SkippedRow
from core.inventory.profiles.templates import AWS_CMF, AWS_MIGRATION_HUB, AZURE_MIGRATE
from core.inventory.profiles.vmware import POWERCLI, RVTOOLS

__all__ = ["PLAIN", "PROFILES", "Profile", "SkippedRow", "detect_profile", "preferred_sheets"]

PLAIN = Profile(
    name="plain", label="plain sheet", detect=lambda _h, _s: True, always_split_os=False
)
PROFILES: tuple[Profile, ...] = (
    RVTOOLS, POWERCLI, AWS_MIGRATION_HUB, AZURE_MIGRATE, MIGRATE_EXPORT, AWS_CMF, SERVICENOW, DEVICE42,
    LANSWEEPER, FLEXERA, PLAIN,
)  # fmt: skip
BY_NAME = {profile.name: profile for profile in PROFILES}


def detect_profile(headers: Sequence[object], sheets: Sequence[str] = ()) -> Profile:
    """The profile of the tool that wrote these headers; PLAIN when none claims them."""
    normalized = frozenset(normalize_header(header) for header in headers)
    lowered = tuple(sheet.strip().lower() for sheet in sheets)
    return next(profile for profile in PROFILES if profile.detect(normalized, lowered))


def preferred_sheets(sheets: Sequence[str]) -> list[str]:
    """A workbook's sheets in the order to look for the inventory (RVTools: vInfo first)."""
    lowered = tuple(sheet.strip().lower() for sheet in sheets)
    wanted = [name for profile in PROFILES for name in profile.sheets]
    first = [sheets[lowered.index(name)] for name in wanted if name in lowered]
    return [*dict.fromkeys([*first, *sheets])]
