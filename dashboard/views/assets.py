"""One asset's values and where each came from: import row, answer, accepted prediction."""

import pandas as pd
import streamlit as st

from core.inventory.listing import page_assets
from core.inventory.value_sources import asset_value_sources
from core.kernel.inputs import MAX_FILTER_LENGTH
from dashboard import shown_text, state

SOURCE_WORDS = {
    "import": "Imported",
    "answer": "Answered",
    "accepted_prediction": "Accepted prediction",
    "unrecorded": "Not recorded",
}

state.require_context()
st.title("Assets")
name = st.text_input("Asset name contains", max_chars=MAX_FILTER_LENGTH, key="assets_name")
page = state.call(page_assets, {"name_contains": name}, limit=200, doing="list assets")
if not page.rows:
    st.info("No asset matches. Import an inventory first, or change the name filter.")
    st.stop()
names: dict[str, str] = {str(row["id"]): row["name"] for row in page.rows}
chosen = st.selectbox(
    f"Asset ({page.total} match)",
    list(names),
    format_func=lambda asset_id: names[asset_id],
    key="assets_choice",
)
values = state.call(asset_value_sources, chosen, doing="read this asset")
if not values:
    st.info("This asset has no values recorded yet.")
    st.stop()
st.dataframe(
    pd.DataFrame(
        {
            "Attribute": [item.attribute for item in values],
            "Value": [None if item.value is None else str(item.value) for item in values],
            "Source": [SOURCE_WORDS[item.source] for item in values],
            "File": [item.file for item in values],
            "Row": [item.row for item in values],
            # An import's detail is its file and row, shown above.
            "Details": [None if item.file else item.detail for item in values],
            "By": [item.recorded_by for item in values],
            "When": [
                shown_text.local_time(item.recorded_at) if item.recorded_at else None
                for item in values
            ],
            "Confidence": [item.confidence for item in values],
        }
    ),
    hide_index=True,
    column_config={
        "Confidence": st.column_config.NumberColumn(format="percent"),
    },
    key="assets_sources",
)
