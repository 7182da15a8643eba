"""Select a flow's assets in a table: filters by type and environment, select all matching."""

import pandas as pd
import streamlit as st

from core.inventory.listing import AssetFilters, matching_asset_ids, page_assets
from core.kernel.edge import parse_input
from core.kernel.errors import BadRequest
from core.kernel.inputs import MAX_FILTER_LENGTH
from dashboard import shown_text, state

PAGE_SIZE = 500


def show(flow_id: str, key: str) -> set[str]:
    """The ids selected so far (kept in session state across filters and pages)."""
    state.require_context()
    selected = state.selected_assets(flow_id)
    types, environments, name = st.columns([2, 2, 2])
    options = state.filter_options()
    chosen_types = types.multiselect("Asset type", options["asset_types"], key=f"{key}_types")
    chosen_envs = environments.multiselect(
        "Environment", st.session_state.get(f"{key}_env_options", []), key=f"{key}_envs"
    )
    name_contains = name.text_input("Name contains", max_chars=MAX_FILTER_LENGTH, key=f"{key}_name")
    typed = {
        "asset_types": chosen_types,
        "environments": chosen_envs,
        "name_contains": name_contains,
    }
    try:
        filters = parse_input(AssetFilters, typed)
    except BadRequest as refused:
        # Said, and the rest of the page (the selection so far) goes on.
        st.error(shown_text.plain(state.sentence(refused.message)))
        return selected
    page_number = st.session_state.get(f"{key}_page", 1) - 1
    page = state.call(
        page_assets, filters, limit=PAGE_SIZE, offset=page_number * PAGE_SIZE, doing="list assets"
    )
    st.session_state[f"{key}_env_options"] = page.environments
    if page.total == 0:
        st.info("No asset matches. Import assets on the Import page, or clear the filters.")
        return selected
    ids = [str(row["id"]) for row in page.rows]
    frame = pd.DataFrame(page.rows).drop(columns=["id"])
    table_key = f"{key}_table_{abs(hash((filters, page_number, state.selection_version())))}"
    st.session_state[f"{key}_table_key"] = table_key
    event = st.dataframe(
        frame,
        hide_index=True,
        on_select="rerun",
        selection_mode="multi-row",
        key=table_key,
        selection_default={
            "selection": {"rows": [i for i, asset_id in enumerate(ids) if asset_id in selected]}
        },
    )
    on_page = set(ids)
    chosen = {ids[row] for row in event.selection.rows}
    selected.difference_update(on_page - chosen)
    selected.update(chosen)
    pages = max(1, -(-page.total // PAGE_SIZE))
    left, middle, right = st.columns([2, 2, 3])
    if pages > 1:
        middle.number_input(f"Page (of {pages})", min_value=1, max_value=pages, key=f"{key}_page")
    if left.button(f"Select all {page.total} matching", key=f"{key}_all"):
        selected.update(state.call(matching_asset_ids, filters, doing="select assets"))
        state.bump_selection_version()
        st.rerun()
    if right.button("Clear selection", key=f"{key}_clear"):
        selected.clear()
        state.bump_selection_version()
        st.rerun()
    st.caption(f"{len(selected)} asset(s) selected of {page.total} matching.")
    return selected
