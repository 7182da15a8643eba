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
FILE_VALUE, STORED_VALUE = "Value in the file", "Read as"


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


def edit(
    preview: ImportPreview,
    detected: ImportPreview,
    started: str,
    saved: MappingChoices | None = None,
) -> MappingChoices:
    """The mapping as shown (a saved one applied) and changed in the table; what differs from
    the `detected` mapping is a choice. The value translations of the `saved` mapping are
    shown and changed below it."""
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
    values = _edit_translations(list(preview.mapping), saved, started)
    return state.call_without_uow(
        MappingChoices.parse, columns, units, values, doing="use that mapping"
    )


def _edit_translations(
    headers: list[str], saved: MappingChoices | None, started: str
) -> dict[str, dict[str, str]]:
    """Values of a column read as another ("PRD" as production), as a table of three columns."""
    rows = [
        {COLUMN: header, FILE_VALUE: raw, STORED_VALUE: to}
        for header, table in (saved.values if saved else {}).items()
        for raw, to in table.items()
    ]
    st.caption("Value translations: a value as the file writes it, read as another.")
    edited = st.data_editor(
        pd.DataFrame(rows, columns=[COLUMN, FILE_VALUE, STORED_VALUE]),
        hide_index=True,
        num_rows="dynamic",
        column_config={COLUMN: st.column_config.SelectboxColumn(COLUMN, options=headers)},
        key=f"import_values_{started}",
    )
    values: dict[str, dict[str, str]] = {}
    for row in edited.to_dict("records"):
        header, raw, to = row.get(COLUMN), row.get(FILE_VALUE), row.get(STORED_VALUE)
        if isinstance(header, str) and isinstance(raw, str) and isinstance(to, str):
            values.setdefault(header, {})[raw] = to
    return values


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
