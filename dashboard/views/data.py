"""Import assets from a CSV or Excel file: preview the column mapping, import, read the report."""

import pandas as pd
import streamlit as st

from core.inventory.importer import import_assets, preview_import
from dashboard import state

ctx = state.require_context()
st.title("Import assets")
st.write(
    "Upload a CSV or Excel inventory. Columns are matched to asset fields; rows are matched to"
    " existing assets by name, so importing the same file twice changes nothing."
)
upload = st.file_uploader("Inventory file", type=["csv", "xlsx"], key="import_file")
if upload is None:
    st.info("Choose a file to see how its columns map to asset fields.")
    st.stop()
content = upload.getvalue()
preview = state.run(preview_import, content, upload.name, doing="read this file")
if preview.row_count is None:
    # The preview reads only the rows it shows; the import counts the rest.
    st.subheader(f"First {len(preview.sample_rows)} rows")
    rows_to_import = "all rows"
else:
    st.subheader(f"{preview.row_count} row(s)")
    rows_to_import = f"{preview.row_count} row(s)"
for note in preview.notes:
    st.caption(note)
st.dataframe(
    pd.DataFrame(
        {"Column in the file": list(preview.mapping), "Asset field": list(preview.mapping.values())}
    ),
    hide_index=True,
    key="import_mapping",
)
if preview.unmapped:
    st.text(
        "Kept as custom attributes (no matching field): " + ", ".join(map(str, preview.unmapped))
    )
st.dataframe(pd.DataFrame(preview.sample_rows), hide_index=True, key="import_sample")

if st.button(f"Import {rows_to_import}", type="primary", key="import_run"):
    bar = st.progress(0.0, text="Importing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Imported {done} of {total}")

    report = state.attempt(
        import_assets, content, upload.name, progress=progress, doing="import assets"
    )
    if report is not None:
        bar.progress(1.0, text="Done")
        columns = st.columns(4)
        columns[0].metric("Created", report.created)
        columns[1].metric("Updated", report.updated)
        columns[2].metric("Unchanged", report.unchanged)
        columns[3].metric("Skipped", len(report.skipped))
        if report.skipped:
            st.dataframe(pd.DataFrame(report.skipped), hide_index=True, key="import_skipped")
        if report.conflicts:
            st.warning(
                f"{len(report.conflicts)} value(s) people gave were kept instead of the file's:"
                " resolve them with their owners."
            )
            st.dataframe(pd.DataFrame(report.conflicts), hide_index=True, key="import_conflicts")
        if report.row_notes:
            st.warning(f"{len(report.row_notes)} row(s) were imported with a note: check them.")
            st.dataframe(pd.DataFrame(report.row_notes), hide_index=True, key="import_notes")
