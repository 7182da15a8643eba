"""What a source profile knows of one tool's export, and what it does to each row.

A profile names the tool's own headers (and the units the tool leaves unsaid, such as RVTools'
MiB), and finishes each row as that tool means it: the OS read from a fallback column when the
first is blank, split into family and version (the full name kept as `os_name`), the
virtualization platform the export implies, and the rows that are no asset (templates, SRM
placeholders) refused with a one-word reason.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.catalogue.numbers import GIGABYTES, parse_number
from core.catalogue.text_values import ValueProblem
from core.inventory.os_names import split_os

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "x", "wahr", "ja"})
_PRETTY_NAME = re.compile(r"prettyName='([^']+)'")
_DISTRO = re.compile(r"distroName='([^']+)'")
_DISTRO_VERSION = re.compile(r"distroVersion='([^']+)'")
# "Server 2019, (Build 17763.8276)": a version and the build it is at
_BUILD = re.compile(r"(?i)^(?P<version>.*?)[\s,]*\(\s*build\s+(?P<build>[\w.\-]+)\s*\)\s*$")

Headers = frozenset[str]  # normalized headers of the file
Detect = Callable[[Headers, tuple[str, ...]], bool]  # (headers, sheet names in lower case)


class SkippedRow(Exception):  # noqa: N818  # a row that is no asset, not an error
    """A row the profile leaves out; the message is the reason, one word."""

    def __init__(self, reason: str, column: str = "", value: object = None):
        super().__init__(reason)
        self.column = column
        self.value = value


@dataclass(frozen=True)
class Profile:
    name: str  # stable id: "rvtools"
    label: str  # as the report says it: "RVTools (vInfo)"
    detect: Detect
    columns: Mapping[str, str] = field(default_factory=dict)  # normalized header -> field
    units: Mapping[str, str] = field(default_factory=dict)  # normalized header -> size unit
    default_type: str = "server"
    platform: str | None = None  # the export implies it for every row
    platform_when: str | None = None  # ... for rows that have a value in this custom key
    os_fallbacks: tuple[str, ...] = ()  # custom keys read when the OS is blank
    name_fallbacks: tuple[str, ...] = ()  # custom keys read when the name is blank
    skip_when_true: tuple[tuple[str, str], ...] = ()  # (custom key, reason)
    # (custom key, the values that say so or None for any, asset type) for a file whose type
    # column is a code, or whose virtual machines are the rows naming their host
    type_when: tuple[tuple[str, frozenset[str] | None, str], ...] = ()
    # The hypervisor a row's custom values show (its virtual hardware), for the other rows
    platform_of: Callable[[dict[str, Any]], str | None] | None = None
    storage_parts: re.Pattern[str] | None = None  # custom keys summed into storage_gb (GB)
    split_os: bool = True  # only when the file has no version column, for plain sheets
    always_split_os: bool = True
    sheets: tuple[str, ...] = ()  # the sheet to read in a workbook, best first
    # What the tool's own values say of a row (a resource id naming its site), run first
    row_hook: Callable[[dict[str, Any], dict[str, Any]], None] | None = None

    def added_fields(self, targets: set[str]) -> set[str]:
        """Typed fields a row may get although no column holds them."""
        added: set[str] = set()
        if self.os_fallbacks and "operating_system" not in targets:
            added.add("operating_system")
        if self.splits_os(targets) and "operating_system" in targets | added:
            added |= {"operating_system", "os_version"}
        if self.storage_parts is not None:
            added.add("storage_gb")
        return added - targets

    def splits_os(self, targets: set[str]) -> bool:
        return self.split_os and (self.always_split_os or "os_version" not in targets)

    def finish(self, values: dict[str, Any], custom: dict[str, Any], split: bool) -> None:
        """Completes a converted row in place; raises SkippedRow for a row that is no asset."""
        for key, reason in self.skip_when_true:
            flag = custom.get(key)
            if flag is not None and str(flag).strip().lower() in TRUE_WORDS:
                raise SkippedRow(reason, key, flag)
        if self.row_hook is not None:
            self.row_hook(values, custom)
        if not values.get("name"):
            values["name"] = next((custom[k] for k in self.name_fallbacks if custom.get(k)), None)
        if not values.get("asset_type") and (found := self._type_of(custom)):
            values["asset_type"] = found
        if not values.get("operating_system") and self.os_fallbacks:
            fallback = next((custom[k] for k in self.os_fallbacks if custom.get(k)), None)
            values["operating_system"] = fallback
        if split and "operating_system" in values:
            _split_os(values, custom)
        _build_apart(values, custom)
        if self.storage_parts is not None:
            values["storage_gb"] = _storage_total(self.storage_parts, custom)
        wanted = self.platform
        if wanted is None and self.platform_when and custom.get(self.platform_when):
            wanted = "vmware"
        if wanted is None and self.platform_of is not None:
            wanted = self.platform_of(custom)
            if wanted is not None and not values.get("asset_type"):
                values["asset_type"] = "virtual_machine"  # a hypervisor's virtual hardware
        if wanted is not None and not custom.get("virtualization_platform"):
            custom["virtualization_platform"] = wanted

    def _type_of(self, custom: dict[str, Any]) -> str | None:
        for key, said, asset_type in self.type_when:
            value = custom.get(key)
            if value is not None and (said is None or str(value).strip().lower() in said):
                return asset_type
        return None


def split_os_in(values: dict[str, Any], custom: dict[str, Any]) -> None:
    """Splits the row's full OS name into family and version in place (the name as `os_name`)."""
    _split_os(values, custom)


def _split_os(values: dict[str, Any], custom: dict[str, Any]) -> None:
    full = values.get("operating_system")
    if not isinstance(full, str) or not full:
        values.setdefault("os_version", None)
        return
    name = values.get("name") or ""
    if name and full.startswith(f"{name}:"):  # PowerCLI's Guest reads "vm-name:OS name"
        full = full[len(name) + 1 :].strip()
    family, version = split_os(full)
    if family is None:
        values["operating_system"] = full
        values.setdefault("os_version", None)
        return
    detail = custom.get("guest_detailed_data")
    detail = detail if isinstance(detail, str) else ""
    pretty = _PRETTY_NAME.search(detail)
    distro, distro_version = _DISTRO.search(detail), _DISTRO_VERSION.search(detail)
    if pretty is not None and any(c.isdigit() for c in pretty.group(1)):
        version = split_os(pretty.group(1))[1] or version  # the guest names its exact release
    elif distro is not None and distro_version is not None:  # "VMware Photon OS/Linux", 4.0
        version = f"{distro.group(1)} {distro_version.group(1)}"
    values["operating_system"] = family
    if not values.get("os_version"):
        values["os_version"] = version
    custom["os_name"] = full


def _build_apart(values: dict[str, Any], custom: dict[str, Any]) -> None:
    """'Server 2019, (Build 17763.8276)' is version 'Server 2019' at build '17763.8276'."""
    version = values.get("os_version")
    found = _BUILD.match(version) if isinstance(version, str) else None
    if found is None:
        return
    values["os_version"] = found.group("version").strip(" ,") or None
    if not custom.get("os_build"):
        custom["os_build"] = found.group("build")


def _storage_total(parts: re.Pattern[str], custom: dict[str, Any]) -> float | None:
    total, found = 0.0, False
    for key, value in custom.items():
        if parts.fullmatch(key) and value is not None:
            try:
                number = parse_number(value, GIGABYTES)
            except ValueProblem:
                continue
            if number is not None:
                total, found = total + number, True
    return round(total, 4) if found else None
