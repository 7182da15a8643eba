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
    assert list(notes["Row"]) == [3, 5]
    assert set(notes["Note"]) == {"not valid UTF-8, read as Windows-1252"}


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


def test_an_rvtools_file_shows_its_profile_the_rows_it_skips_and_a_report_to_download(
    db, tenant, open_page, downloaded
):
    from tests.core.inventory.profile_files import RVTOOLS_VINFO, csv_bytes, rvtools_rows

    app = upload(
        open_page(tenant, "data"), "RVTools_tabvInfo.csv", csv_bytes(RVTOOLS_VINFO, rvtools_rows())
    )
    no_exceptions(app)
    assert "Read as RVTools (vInfo)." in texts(app, "caption")
    sample = app.dataframe[-1].value
    assert list(sample["Skipped because"]) == ["", "", "template", "placeholder", ""]
    app.button(key="import_run").click().run()
    no_exceptions(app)
    assert next(item.value for item in app.metric if item.label == "Created") == "3"
    report = downloaded(app, "import_report").decode("utf-8-sig")
    assert report.splitlines()[0] == '"row","column","value","reason"'
    assert '4,"template","True","template"' in report


def test_a_saved_mapping_and_a_row_key_are_chosen_and_a_mapping_is_saved(db, tenant, open_page):
    from core.inventory.mapping_choices import MappingChoices
    from core.inventory.saved_mappings import mapping_names, save_mapping
    from tests.core.inventory.profile_files import csv_bytes
    from tests.factories import in_uow

    in_uow(
        db, tenant, save_mapping, "Snipe-IT", MappingChoices.parse({"Notes": "ignore"}), "Asset Tag"
    )
    db.commit()
    content = csv_bytes(
        ["Asset Tag", "Name", "Notes"], [["A-1", "Latitude", "x"], ["A-2", "Latitude", "y"]]
    )
    app = upload(open_page(tenant, "data"), "assets.csv", content)
    no_exceptions(app)
    assert app.selectbox(key="import_key").value == "name"
    assert list(app.dataframe[-1].value["Skipped because"]) == [
        "",
        "duplicate name 'Latitude' (first on row 2)",
    ]

    app = app.selectbox(key="import_saved").set_value("Snipe-IT").run()
    no_exceptions(app)
    assert app.selectbox(key="import_key").value == "Asset Tag"
    assert list(app.dataframe[-1].value["Skipped because"]) == ["", ""]
    app.button(key="import_run").click().run()
    no_exceptions(app)
    assert next(item.value for item in app.metric if item.label == "Created") == "2"
    assert db.scalar(select(func.count()).select_from(Asset)) == 2
    db.rollback()  # the test's read ends before the page writes (SQLite has one writer)

    app = app.text_input(key="import_mapping_name").input("Snipe-IT copy").run()
    app.button(key="import_mapping_save").click().run()
    no_exceptions(app)
    assert in_uow(db, tenant, mapping_names) == ["Snipe-IT", "Snipe-IT copy"]


def test_a_workbook_s_shared_strings_are_read_once_for_its_previews_and_its_import(
    db, tenant, open_page, tmp_path, monkeypatch
):
    import core.inventory.xlsx_shared_strings
    from tests.core.workbook_bombs import row

    reads: list[str] = []
    read = core.inventory.xlsx_shared_strings.read_shared_strings

    def counted(*args, **kwargs):  # the real reading, counted
        reads.append("read")
        return read(*args, **kwargs)

    monkeypatch.setattr(core.inventory.xlsx_shared_strings, "read_shared_strings", counted)
    strings = [f"<si><t>cluster-{index}</t></si>".encode() for index in range(5)]
    rows = [row(1, "Hostname", "Cluster")]
    rows += [row(n, f"h{n}", f'<c r="B{n}" t="s"><v>{n % 5}</v></c>'.encode()) for n in range(2, 9)]
    content = write_xlsx(tmp_path / "s.xlsx", sheet(rows), strings).read_bytes()
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    app = upload(open_page(tenant, "data"), "s.xlsx", content, xlsx)
    no_exceptions(app)
    assert "7 row(s)" in texts(app, "subheader")
    assert reads == ["read"]  # three previews a run: the table is read by the first
    app.button(key="import_run").click().run()  # a run of its own: previews and the import
    no_exceptions(app)
    assert next(item.value for item in app.metric if item.label == "Created") == "7"
    assert reads == ["read"]


def test_a_workbook_without_a_clear_servers_sheet_is_read_from_the_sheet_picked(
    db, tenant, open_page
):
    from tests.core.inventory.assessment_workbooks import workbook_of
    from tests.core.inventory.test_sheet_choice import SERVERS

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = workbook_of({"Site A": SERVERS, "Site B": SERVERS[:2]})
    app = upload(open_page(tenant, "data"), "sites.xlsx", content, xlsx)
    no_exceptions(app)
    assert any("No sheet is clearly the servers" in text for text in texts(app, "error"))
    app.selectbox(key="import_sheet").set_value("Site B").run()
    no_exceptions(app)
    assert "1 row(s)" in texts(app, "subheader")
    assert "servers read from sheet 'Site B': chosen" in texts(app, "caption")
    app.button(key="import_run").click().run()
    no_exceptions(app)
    assert next(item.value for item in app.metric if item.label == "Created") == "1"
    assert "Servers read from sheet 'Site B': chosen." in texts(app, "caption")
