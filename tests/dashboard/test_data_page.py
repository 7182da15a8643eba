"""The import page through AppTest: an upload is previewed, imported, and a bomb is a sentence."""

from sqlalchemy import func, select

from db.models import Asset
from tests.core.inventory.test_files import MIXED
from tests.core.workbook_bombs import huge_inline_cell, inventory_rows, sheet, write_xlsx
from tests.dashboard.conftest import no_exceptions, texts


def upload(app, name: str, content: bytes, mime: str = "text/csv"):
    return app.file_uploader(key="import_file").set_value((name, content, mime)).run()


def test_a_mixed_encoding_file_is_previewed_and_imported_naming_its_windows_1252_rows(
    db, tenant, open_page
):
    app = upload(open_page(tenant, "data"), "mixed.csv", MIXED)
    no_exceptions(app)
    assert "4 row(s)" in texts(app, "subheader")
    assert any("rows 3 and 5 are not valid UTF-8" in caption for caption in texts(app, "caption"))
    app.button(key="import_run").click().run()
    no_exceptions(app)
    assert next(item.value for item in app.metric if item.label == "Created") == "4"
    assert texts(app, "warning") == ["2 row(s) were imported with a note: check them."]
    notes = app.dataframe[-1].value  # AppTest does not expose a table's key
    assert list(notes["row"]) == [3, 5]
    assert set(notes["note"]) == {"not valid UTF-8, read as Windows-1252"}


def test_a_long_workbook_shows_its_first_rows_and_a_bomb_is_a_sentence(
    db, tenant, open_page, tmp_path
):
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    long_sheet = write_xlsx(tmp_path / "long.xlsx", sheet(inventory_rows(5000))).read_bytes()
    app = upload(open_page(tenant, "data"), "long.xlsx", long_sheet, xlsx)
    no_exceptions(app)
    assert "First 20 rows" in texts(app, "subheader")
    assert app.button(key="import_run").label == "Import all rows"

    bomb = write_xlsx(tmp_path / "bomb.xlsx", huge_inline_cell(400 * 2**20, varied=False))
    app = upload(app, "bomb.xlsx", bomb.read_bytes(), xlsx)
    no_exceptions(app)
    assert any("unpacks to more than 256 MB" in error for error in texts(app, "error"))
    assert db.scalar(select(func.count()).select_from(Asset)) == 0
