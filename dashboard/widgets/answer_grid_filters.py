"""The answer grid's filters: owner, asset name, attribute, priority (all optional)."""

from typing import Any

import streamlit as st

from core.catalogue.attributes import CATALOGUE
from core.catalogue.schema import PRIORITY_LABELS
from core.kernel.inputs import MAX_FILTER_LENGTH
from core.questionnaires.open_questions import list_owners
from core.questionnaires.owners import UNASSIGNED
from dashboard import state

ANY_OWNER, NO_OWNER = "Anyone", UNASSIGNED  # owners are the emails requests are mailed to
LABELS = {attribute.name: attribute.label for attribute in CATALOGUE}


def show(flow_id: str) -> dict[str, Any]:
    """The filters chosen, as list_open_questions takes them."""
    owners = state.call(list_owners, flow_id, doing="read the owners")
    owner_box, name_box, field_box, priority_box = st.columns([2, 2, 3, 2])
    owner = owner_box.selectbox(
        "Owner", [ANY_OWNER, NO_OWNER, *owners], key=f"grid_owner_{flow_id}"
    )
    name = name_box.text_input(
        "Asset name contains", max_chars=MAX_FILTER_LENGTH, key=f"grid_asset_{flow_id}"
    )
    fields = field_box.multiselect(
        "Attribute", list(LABELS), format_func=LABELS.__getitem__, key=f"grid_field_{flow_id}"
    )
    priorities = priority_box.multiselect(
        "Priority",
        list(PRIORITY_LABELS),
        format_func=PRIORITY_LABELS.__getitem__,
        key=f"grid_priority_{flow_id}",
    )
    return {
        "owner": "" if owner in (ANY_OWNER, NO_OWNER) else owner,
        "without_owner": owner == NO_OWNER,
        "asset_name_contains": name,
        "field_names": tuple(fields),
        "priorities": tuple(priorities),
    }
