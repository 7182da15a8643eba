"""Import assets from a CSV or Excel file: fix the mapping, preview, import, read the report."""

import pandas as pd
import streamlit as st

from core.inventory.importer import import_assets, preview_import
from core.inventory.preview import workbook_sheets
from core.inventory.provenance import source_order
from core.storage.value_sources import SOURCE_ORDERS
from dashboard import state
from dashboard.widgets import import_file, import_mapping, import_report

ctx = state.require_context()
st.title("Import assets")
st.write(
    "Upload a CSV or Excel inventory. The tool that wrote it is recognised and its columns are"
    " matched to asset fields; change what is wrong, and save the mapping for the next file."
    " Rows are matched to existing assets by name (or the key you choose), so importing the"
    " same file twice changes nothing."
)
upload = st.file_uploader("Inventory file", type=["csv", "xlsx"], key="import_file")
if upload is None:
    import_file.forget()
    st.info("Choose a file to see how its columns map to asset fields.")
    st.stop()
content = upload.getvalue()
memo = import_file.memo_for(content)  # the file's workbook parts are read once, not per preview
sheets = state.call_without_uow(workbook_sheets, content, memo=memo, doing="read this file")
sheet = import_file.choose_sheet(sheets)
saved_choices, saved_key, started = import_mapping.start_from()
detected = state.call_without_uow(
    preview_import, content, upload.name, memo=memo, sheet=sheet, doing="read this file"
)
st.caption(f"Read as {detected.profile}.")
shown = state.call_without_uow(
    preview_import,
    content,
    upload.name,
    choices=saved_choices,
    memo=memo,
    sheet=sheet,
    doing="read this file",
)
choices = import_mapping.edit(shown, detected, started, saved_choices)
key = import_mapping.choose_key(detected, saved_key)
preview = state.call_without_uow(
    preview_import,
    content,
    upload.name,
    choices=choices,
    key=key,
    memo=memo,
    sheet=sheet,
    doing="read this file",
)
import_mapping.offer_saving(choices, key)

if preview.row_count is None:
    # The preview reads only the rows it shows; the import counts the rest.
    st.subheader(f"First {len(preview.sample_rows)} rows")
    rows_to_import = "all rows"
else:
    st.subheader(f"{preview.row_count} row(s)")
    rows_to_import = f"{preview.row_count} row(s)"
for note in preview.notes:
    st.caption(note)
if preview.unmapped:
    st.text(
        "Kept as custom attributes (no matching field): " + ", ".join(map(str, preview.unmapped))
    )
sample = pd.DataFrame(preview.sample_rows)
reasons = [reason or "" for reason in preview.skip_reasons]
sample.insert(0, "Skipped because", reasons, allow_duplicates=True)
st.dataframe(sample, hide_index=True, key="import_sample")

order = state.call(source_order, doing="read this engagement's source order")
st.caption(
    f"Where the file has another value than one people gave: {SOURCE_ORDERS[order].lower()}."
    " Admins choose this per engagement on Clients & engagements."
)
if st.button(f"Import {rows_to_import}", type="primary", key="import_run"):
    bar = st.progress(0.0, text="Importing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Imported {done} of {total}")

    report = state.call_or_none(
        import_assets,
        content,
        upload.name,
        progress=progress,
        key=key,
        choices=choices,
        memo=memo,
        sheet=sheet,
        doing="import assets",
    )
    if report is not None:
        bar.progress(1.0, text="Done")
        import_report.show(report, upload.name)
