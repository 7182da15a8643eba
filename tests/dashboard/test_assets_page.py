"""The asset view: each value with where it came from, and import conflicts on the import page."""

from core.inventory.importer import import_assets
from tests.core.inventory.test_provenance import HEADER, answer_owner, stored
from tests.core.inventory_files import to_csv
from tests.dashboard.conftest import no_exceptions, texts
from tests.factories import in_uow


def test_an_asset_shows_the_file_row_and_the_answer_behind_its_values(db, tenant, open_page):
    in_uow(
        db,
        tenant,
        import_assets,
        to_csv(HEADER, [["web-01", "server", "production", ""]]),
        "cmdb.csv",
    )
    answer_owner(db, tenant, stored(db, "web-01"), "Noor Haddad")

    app = open_page(tenant, "assets")

    no_exceptions(app)
    table = app.dataframe[0].value.set_index("Attribute")
    assert table.loc["Environment", "Source"] == "Imported"
    assert table.loc["Environment", "File"] == "cmdb.csv"
    assert table.loc["Environment", "Row"] == 2
    assert table.loc["Business owner", "Value"] == "Noor Haddad"
    assert table.loc["Business owner", "Source"] == "Answered"


def test_an_empty_engagement_says_what_to_do(tenant, open_page):
    app = open_page(tenant, "assets")
    no_exceptions(app)
    assert texts(app, "info") == [
        "No asset matches. Import an inventory first, or change the name filter."
    ]


def test_the_import_page_lists_the_answers_it_kept(db, tenant, open_page):
    in_uow(
        db, tenant, import_assets, to_csv(HEADER, [["web-01", "server", "production", ""]]), "a.csv"
    )
    answer_owner(db, tenant, stored(db, "web-01"), "Noor Haddad")
    app = open_page(tenant, "data")
    app.file_uploader(key="import_file").set_value(
        ("b.csv", to_csv(HEADER, [["web-01", "server", "production", "Tom"]]), "text/csv")
    ).run()
    app.button(key="import_run").click().run()
    no_exceptions(app)
    assert any("people's answers win" in caption for caption in texts(app, "caption"))
    assert "1 value(s) people gave were kept instead of the file's" in texts(app, "warning")[0]
    conflicts = app.dataframe[-1].value
    assert list(conflicts["kept"]) == ["Noor Haddad"] and list(conflicts["in_file"]) == ["Tom"]
