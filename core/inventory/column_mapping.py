"""Which asset field each column of an inventory export holds.

Discovery tools and spreadsheets name the same thing many ways ("Hostname", "CI name",
"VM"; "RAM (MB)", "Memory", "Provisioned MiB"). A header is normalized (lower case, accents
folded, words joined by "_"), a size unit in it is noted (MB columns are converted to GB on
import), and the rest is looked up in core.inventory.header_aliases, also split at camel case
("NumCpu") and without a common prefix ("server_os_family"). A source profile
(core.inventory.profiles) may name some columns itself. Catalogue attributes that are not typed
columns go to `custom_attributes` under their catalogue name; anything else goes there under
its header in lower case (unicode kept: "Domäne" is "domäne"), so nothing in the file is lost.

The asset export writes each field under its label (core.catalogue.labels): a label reads back
as its field, and a custom attribute whose label names another field is written "Label
(custom)", which reads back as that custom attribute.
"""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.catalogue.attributes import CATALOGUE, TYPED_ASSET_FIELDS
from core.catalogue.labels import field_label
from core.catalogue.numbers import GIGABYTES
from core.inventory.asset_types import normalize_asset_type
from core.inventory.header_aliases import ALIASES, EXTRA_ALIASES, PREFIXES

__all__ = ["ALIASES", "normalize_asset_type"]

CUSTOM_PREFIX = "custom_attributes."
CUSTOM_SUFFIX = " (custom)"
# Sizes the catalogue does not ask for are read as sizes too (RVTools' in-use storage, and
# vMemory's reservation), so an export of them reads back the same.
SIZE_FIELDS = frozenset(
    {
        *(a.name for a in CATALOGUE if a.unit == GIGABYTES),
        "storage_used_gb",
        "memory_reservation_gb",
    }
)
UNIT_FACTORS_TO_GB = GIGABYTES.factors

# alias -> every (field, rank) naming it, the first field first
_ALIAS_RANKS: dict[str, list[tuple[str, int]]] = {}
for _field, _aliases in (*ALIASES.items(), *EXTRA_ALIASES.items()):
    for _rank, _alias in enumerate(_aliases):
        _ALIAS_RANKS.setdefault(_alias, []).append((_field, _rank))
_CATALOGUE_CUSTOM = frozenset(a.name for a in CATALOGUE if not a.is_typed_column)
_OWN_NAMES = frozenset(TYPED_ASSET_FIELDS) | _CATALOGUE_CUSTOM
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

IGNORED = "ignore"  # a column a person chose to leave out
Candidate = tuple[str, int, str]  # field, alias rank (lower is better), size unit


def target_of(field: str) -> str:
    """Where a field lives on an asset: the column itself or a custom_attributes key."""
    if field in ("name", "asset_type") or field in TYPED_ASSET_FIELDS:
        return field
    if field.startswith(CUSTOM_PREFIX):
        return field
    return CUSTOM_PREFIX + field


@dataclass(frozen=True)
class ColumnTarget:
    """One source column: where its values go and, for sizes, the factor that makes GB."""

    index: int
    header: str
    target: str  # an Asset column or "custom_attributes.<key>"
    recognized: bool
    unit_factor: float = 1.0  # value * unit_factor = GB (size fields only)
    unit: str = ""  # the size unit the column is read in ("mb", "gib", ...)

    @property
    def custom_key(self) -> str | None:
        return self.target[len(CUSTOM_PREFIX) :] if self.target.startswith(CUSTOM_PREFIX) else None


def _folded(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def normalize_header(header: object) -> str:
    """'RAM (MB)' -> 'ram_mb'; 'OS Name ' -> 'os_name'; 'Domäne' -> 'domane' (for matching)."""
    text = _folded(str(header if header is not None else "").strip()).lower()
    return "_".join(re.findall(r"[a-z0-9]+", text))


def custom_key_of(header: object) -> str:
    """The custom attribute key of an unrecognized header: its words, lower case, unicode kept."""
    text = unicodedata.normalize("NFC", str(header if header is not None else "").strip())
    return "_".join(re.findall(r"[^\W_]+", text.casefold()))


# The labels the asset export writes ("Operating system family", "Open security findings"),
# where no tool's spelling already names that or another field.
_LABELLED: dict[str, str] = {}
for _field in (*sorted(_OWN_NAMES), *EXTRA_ALIASES):
    _spelling = normalize_header(field_label(_field))
    if _spelling not in _OWN_NAMES and _spelling not in _ALIAS_RANKS:
        _LABELLED[_spelling] = _field


def _marked_custom(header: object) -> bool:
    return isinstance(header, str) and header.strip().endswith(CUSTOM_SUFFIX.strip())


def _variants(header: object) -> list[str]:
    """The spellings a header is looked up under, the plainest first."""
    text = _folded(str(header if header is not None else "").strip())
    plain = normalize_header(text)
    camel = normalize_header(_CAMEL.sub("_", text))
    spellings = [plain, camel]
    for spelling in (plain, camel):
        for prefix in PREFIXES:
            if spelling.startswith(prefix) and len(spelling) > len(prefix):
                spellings.append(spelling[len(prefix) :])
    return [s for s in dict.fromkeys(spellings) if s]


def _split_unit(normalized: str) -> tuple[str, str]:
    """('memory_mb') -> ('memory', 'mb'); the unit is the last unit word in the header."""
    words = normalized.split("_")
    unit = ""
    kept = []
    for word in words:
        if word in UNIT_FACTORS_TO_GB:
            unit = word
        elif word != "in" or not unit:
            kept.append(word)
    if unit and kept and kept[-1] == "in":
        kept.pop()
    return "_".join(kept), unit


def candidates(header: object) -> list[Candidate]:
    """Every field a header may name, best first (several when an alias names two fields)."""
    if _marked_custom(header):
        return []  # "Rack (custom)": a custom attribute, whatever its words name
    for spelling in _variants(header):
        unit = _split_unit(spelling)[1]
        if spelling in _OWN_NAMES or spelling in _LABELLED:
            # A field's own name ("memory_gb") or label beats every alias: our export writes them.
            field = _LABELLED.get(spelling, spelling)
            return [(field, -1, unit if field in SIZE_FIELDS else "")]
        if spelling in _ALIAS_RANKS:
            return [(f, r, unit if f in SIZE_FIELDS else "") for f, r in _ALIAS_RANKS[spelling]]
        base, unit = _split_unit(spelling)
        if unit and base in _ALIAS_RANKS:
            found = [(f, r, unit) for f, r in _ALIAS_RANKS[base] if f in SIZE_FIELDS]
            if found:
                return found
    return []


def recognize(header: object) -> Candidate | None:
    """(field, alias rank, unit) for a known header, else None."""
    found = candidates(header)
    return found[0] if found else None


def map_columns(
    headers: Sequence[object],
    columns: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> list[ColumnTarget]:
    """A target for every column; each asset field is taken by at most one column.

    `columns` (normalized header -> field) and `units` (normalized header -> size unit) are
    what a source profile knows of its own headers; they win over the alias table.
    """
    columns, units = columns or {}, units or {}
    normalized = [normalize_header(header) for header in headers]
    options: list[list[Candidate]] = []
    for header, plain in zip(headers, normalized, strict=True):
        if plain in columns:
            field = columns[plain]
            options.append([(field, -2, units.get(plain, _split_unit(plain)[1]))])
        else:
            options.append(candidates(header))
    choice = _assign(options)
    targets: list[ColumnTarget] = []
    used_custom_keys = {
        target_of(f)[len(CUSTOM_PREFIX) :] for f, _r, _u in choice.values() if target_of(f) != f
    }
    for index, header in enumerate(headers):
        shown = str(header if header is not None else "").strip()
        if index in choice and choice[index][0] == IGNORED:
            targets.append(ColumnTarget(index, shown, "", True))  # read by nothing
            continue
        if index in choice:
            field, _rank, unit = choice[index]
            unit = units.get(normalized[index], unit)
            if field.startswith(CUSTOM_PREFIX) and field[len(CUSTOM_PREFIX) :] in SIZE_FIELDS:
                field = field[len(CUSTOM_PREFIX) :]
            if field in SIZE_FIELDS and not unit:
                unit = "gb"
            factor = UNIT_FACTORS_TO_GB[unit] if field in SIZE_FIELDS else 1.0
            targets.append(ColumnTarget(index, shown, target_of(field), True, factor, unit))
            continue
        key = _custom_key(shown, index, used_custom_keys)
        used_custom_keys.add(key)
        targets.append(ColumnTarget(index, shown, CUSTOM_PREFIX + key, False))
    return targets


def _assign(options: list[list[Candidate]]) -> dict[int, Candidate]:
    """Each field to its best-ranked column; a column that loses tries its next field."""
    position = dict.fromkeys((i for i, found in enumerate(options) if found), 0)
    while True:
        best: dict[str, int] = {}
        for index, at in position.items():
            field, rank, _unit = options[index][at]
            if field not in best or rank < options[best[field]][position[best[field]]][1]:
                best[field] = index
        losers = [i for i, at in position.items() if best[options[i][at][0]] != i]
        if not losers:
            return {index: options[index][at] for index, at in position.items()}
        for index in losers:
            position[index] += 1
            if position[index] >= len(options[index]):
                del position[index]


def _custom_key(shown: str, index: int, used: set[str]) -> str:
    if shown.startswith(CUSTOM_PREFIX) and len(shown) > len(CUSTOM_PREFIX):
        key = shown[len(CUSTOM_PREFIX) :]  # written by our own export: kept verbatim
    elif _marked_custom(shown):
        key = custom_key_of(shown.strip()[: -len(CUSTOM_SUFFIX.strip())]) or f"column_{index + 1}"
    else:
        key = custom_key_of(shown) or f"column_{index + 1}"
    candidate, suffix = key, 2
    while candidate in used:
        candidate, suffix = f"{key}_{suffix}", suffix + 1
    return candidate


def export_header(target: str) -> str:
    """The header under which the asset export writes a field (an asset column, or a custom
    attribute as "custom_attributes." and its key), mapping back to it: its label ("Operating system family",
    "Rack"), else its label marked "(custom)" when the label names another field ("OS name
    (custom)"), else the target itself."""
    custom = target.startswith(CUSTOM_PREFIX)
    label = field_label(target)
    if custom:
        label = label.removesuffix(CUSTOM_SUFFIX)
    # Read as the export has it: after the name column, which takes the name's aliases ("FQDN").
    beside = [] if target == "name" else [field_label("name")]
    for header in (label, label + CUSTOM_SUFFIX) if custom else (label,):
        column = map_columns([*beside, header])[-1]
        names_another_field = not column.recognized and bool(candidates(header))
        if column.target == target and column.unit_factor == 1.0 and not names_another_field:
            return header
    return target
