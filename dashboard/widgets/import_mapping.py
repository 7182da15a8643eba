"""The Import page's mapping editor: a saved mapping to start from, the detected mapping to change
(remap, ignore, set a unit), the row key, and saving the result under a name."""

from typing import Any

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.inventory.importer import ImportPreview
from core.inventory.mapping_choices import IGNORE, TARGETS, UNITS, MappingChoices
from core.inventory.row_keys import KEY_CHOICES
from core.inventory.saved_mappings import load_mapping, mapping_names, save_mapping
from dashboard import shown_text, state

DETECTED = "(as detected)"
COLUMN, FIELD, UNIT = "Column in the file", "Asset field", "Unit"


def start_from() -> tuple[MappingChoices, str | None, str]:
    """The saved mapping chosen to start from (none: the detected mapping)."""
    names = state.call(mapping_names, doing="list the saved mappings")
    chosen = st.selectbox(
        "Start from", [DETECTED, *names], key="import_saved", on_change=_take_saved_key
    )
    if chosen == DETECTED:
        return MappingChoices(), None, chosen
    saved = state.call(load_mapping, chosen, doing="load that mapping")
    return saved.choices, saved.key, chosen


def _take_saved_key() -> None:
    # Another mapping chosen: its row key replaces the one picked for the previous.
    st.session_state.pop("import_key", None)


def target_words(targets: set[str]) -> dict[str, str]:
    """Each import target in people's words, every one told apart from the others."""
    shown: dict[str, str] = {}
    taken: set[str] = set()
    for target in sorted(targets):
        words = labels.import_target_label(target)
        if words in taken:
            words = f"{words} ({labels.words(target)})"
        taken.add(words)
        shown[target] = words
    return shown


def edit(preview: ImportPreview, detected: ImportPreview, started: str) -> MappingChoices:
    """The mapping as shown (a saved one applied) and changed in the table; what differs from
    the `detected` mapping is a choice."""
    targets = target_words({*TARGETS, IGNORE, *preview.mapping.values()})
    target_of = {shown: target for target, shown in targets.items()}
    table = pd.DataFrame(
        {
            COLUMN: list(preview.mapping),
            FIELD: [targets[target] for target in preview.mapping.values()],
            UNIT: [preview.units.get(header, "") for header in preview.mapping],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=[COLUMN],
        column_config={
            FIELD: st.column_config.SelectboxColumn(
                FIELD, options=sorted(target_of), required=True
            ),
            UNIT: st.column_config.SelectboxColumn(UNIT, options=["", *UNITS]),
        },
        key=f"import_mapping_{started}",
    )
    columns: dict[str, Any] = {}
    units: dict[str, Any] = {}
    for row in edited.to_dict("records"):
        header = row[COLUMN]
        target = target_of.get(row[FIELD], row[FIELD])
        if target and target != detected.mapping.get(header):
            columns[header] = target
        if row[UNIT] and row[UNIT] != detected.units.get(header, ""):
            units[header] = row[UNIT]
    return state.call_without_uow(MappingChoices.parse, columns, units, doing="use that mapping")


def choose_key(preview: ImportPreview, saved_key: str | None) -> str | None:
    """The row key: the name by default, a common key, name plus a column, or any column."""
    targets = set(preview.mapping.values())
    common = [
        choice
        for choice in KEY_CHOICES
        if (base := choice.split("+")[-1]) == "name"
        or {base, f"custom_attributes.{base}"} & targets
    ]
    options = list(dict.fromkeys([*common, *([saved_key] if saved_key else []), *preview.mapping]))
    index = options.index(saved_key) if saved_key in options else 0
    key = st.selectbox("Rows are told apart by", options, index=index, key="import_key")
    return None if key == "name" else key


def offer_saving(choices: MappingChoices, key: str | None) -> None:
    name = st.text_input("Save this mapping as", key="import_mapping_name", max_chars=100)
    if st.button("Save mapping", key="import_mapping_save", disabled=not name.strip()):
        saved = state.call_or_none(save_mapping, name, choices, key, doing="save the mapping")
        if saved is not None:
            st.success(f"Saved as {shown_text.plain(saved.name)}; it is offered for the next file.")
