"""One asset: its values and where each came from (import row, answer, accepted prediction),
its gaps in every flow and so the flows it is collected in. Each asset has an address
(`/assets?asset=<id>`)."""

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.catalogue.schema import priority_label
from core.gaps.of_asset import asset_gaps, asset_name
from core.inventory.listing import page_assets
from core.inventory.value_sources import asset_value_sources
from core.kernel.inputs import MAX_FILTER_LENGTH
from dashboard import shown_text, state

CHOICE = "assets_choice"
NOT_FOUND = "Asset not found: no asset of this engagement has the address you opened."


def blank(value: object) -> str:
    """A value as text, nothing at all for none (never "None")."""
    return "" if value is None else str(value)


def follow_the_choice() -> None:
    st.query_params["asset"] = st.session_state[CHOICE]


state.require_context()
st.title("Assets")
name = st.text_input("Asset name contains", max_chars=MAX_FILTER_LENGTH, key="assets_name")
page = state.call(page_assets, {"name_contains": name}, limit=200, doing="list assets")
names: dict[str, str] = {str(row["id"]): row["name"] for row in page.rows}
named = st.query_params.get("asset")
if named:
    canonical = state.canonical_flow_id(named)  # any form of a UUID
    found = names.get(canonical) or state.call(asset_name, canonical, doing="open the asset")
    if found is None:
        st.error(NOT_FOUND)
        st.stop()
    names = {canonical: found, **names}  # an asset beyond the listed ones still opens
    st.session_state[CHOICE] = canonical
if not names:
    st.info("No asset matches. Import an inventory first, or change the name filter.")
    st.stop()
if st.session_state.get(CHOICE) not in names:
    st.session_state.pop(CHOICE, None)
chosen = st.selectbox(
    f"Asset ({page.total} match)",
    list(names),
    format_func=lambda asset_id: names[asset_id],
    key=CHOICE,
    on_change=follow_the_choice,
)
st.query_params["asset"] = chosen

st.subheader("Values and where each came from")
values = state.call(asset_value_sources, chosen, doing="read this asset")
if not values:
    st.info("This asset has no values recorded yet.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Attribute": [labels.field_label(item.attribute) for item in values],
                "Value": [blank(item.value) for item in values],
                "Source": [labels.source_label(item.source) for item in values],
                "File": [blank(item.file) for item in values],
                "Row": [item.row for item in values],
                # An import's detail is its file and row, shown above.
                "Details": ["" if item.file else blank(item.detail) for item in values],
                "By": [blank(item.recorded_by) for item in values],
                "When": [shown_text.local_time(item.recorded_at) for item in values],
                "Confidence": [item.confidence for item in values],
            }
        ),
        hide_index=True,
        placeholder="",
        column_config={"Confidence": st.column_config.NumberColumn(format="percent")},
        key="assets_sources",
    )

st.subheader("Gaps and flows")
gaps = state.call(asset_gaps, chosen, doing="read this asset's gaps")
if not gaps:
    st.info("No flow has found a gap on this asset.")
else:
    st.dataframe(
        pd.DataFrame(
            {
                "Flow": [gap["flow_name"] for gap in gaps],
                "Phase": [labels.phase_label(gap["phase"]) for gap in gaps],
                "Field": [labels.field_label(gap["field_name"]) for gap in gaps],
                "Gap": [labels.gap_type_label(gap["gap_type"]) for gap in gaps],
                "Priority": [priority_label(gap["priority"]) for gap in gaps],
                "Status": [labels.gap_status_label(gap["status"]) for gap in gaps],
                "Value": [blank(gap["resolved_value"] or gap["predicted_value"]) for gap in gaps],
                "Open": [state.page_url("gaps", gap["flow_id"]) for gap in gaps],
            }
        ),
        hide_index=True,
        placeholder="",
        column_config={"Open": st.column_config.LinkColumn("Open", display_text="Open gaps")},
        key="assets_gaps",
    )
