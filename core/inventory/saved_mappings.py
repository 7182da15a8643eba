"""Named import mappings of an engagement: a file's corrected mapping, reused for the next file.

A mapping holds a person's choices (core.inventory.mapping_choices) and the row key; saving
under an existing name replaces it. Reading needs the right to view, saving the right to import.
"""

from dataclasses import dataclass

from core.access import audit
from core.inventory.mapping_choices import MappingChoices
from core.kernel.errors import BadRequest, NotFound
from core.kernel.permissions import Action
from core.kernel.text import clean_text
from core.storage.unit_of_work import UnitOfWork

MAX_NAME_CHARS = 100


@dataclass(frozen=True)
class SavedMapping:
    name: str
    choices: MappingChoices
    key: str | None


def mapping_names(uow: UnitOfWork) -> list[str]:
    """The engagement's saved mappings, by name."""
    uow.require(Action.VIEW)
    return uow.import_mappings.names()


def load_mapping(uow: UnitOfWork, name: str) -> SavedMapping:
    """The saved mapping of that name; 404 when the engagement has none (another's included)."""
    uow.require(Action.VIEW)
    stored = uow.import_mappings.get(_name(name))
    if stored is None:
        raise NotFound(f"no saved mapping {name!r}")
    choices = MappingChoices.parse(stored.columns, stored.units, stored.value_translations)
    return SavedMapping(stored.name, choices, stored.row_key)


def save_mapping(
    uow: UnitOfWork, name: str, choices: MappingChoices, key: str | None = None
) -> SavedMapping:
    """Saves (or replaces) the named mapping of the engagement."""
    uow.require(Action.IMPORT_ASSETS)
    checked = _name(name)
    if key is not None and (not key.strip() or len(key) > 200):
        raise BadRequest("the row key must name a column (at most 200 characters)", field="key")
    row_key = key.strip() if key else None
    saved = choices.as_dict()
    uow.import_mappings.save(
        checked,
        columns=saved["columns"],
        units=saved["units"],
        value_translations=saved["values"] or None,
        row_key=row_key,
    )
    audit.record(uow, "import_mapping_saved", name=checked)
    return SavedMapping(checked, choices, row_key)


def _name(name: str) -> str:
    text = clean_text(name, "name", label="the mapping's name").strip()
    if not text or len(text) > MAX_NAME_CHARS:
        raise BadRequest(
            f"a mapping needs a name of 1 to {MAX_NAME_CHARS} characters", field="name"
        )
    return text
