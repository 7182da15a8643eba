"""The asset view: each value with where it came from, and import conflicts on the import page."""

from core.inventory.importer import import_assets
from core.inventory.listing import page_assets
from tests.core.inventory.test_provenance import HEADER, answer_owner, stored
from tests.core.inventory_files import to_csv
from tests.dashboard.conftest import no_exceptions, texts
from tests.factories import in_uow

NOT_FOUND = "Asset not found: no asset of this engagement has the address you opened."


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
    assert list(conflicts["Kept"]) == ["Noor Haddad"] and list(conflicts["In the file"]) == ["Tom"]


def test_each_asset_has_an_address_with_its_gaps_and_flows(db, tenant, open_page, flow_with_gaps):
    flow_with_gaps(tenant, count=2, name="Wave of gaps")
    listed = in_uow(db, tenant, page_assets, {}).rows
    last = listed[-1]
    app = open_page(tenant, "assets")
    app.query_params["asset"] = str(last["id"]).upper().replace("-", "")  # any form
    app.run()
    no_exceptions(app)
    assert app.selectbox(key="assets_choice").value == str(last["id"])
    assert app.query_params["asset"] == str(last["id"])
    gaps = next(frame.value for frame in app.dataframe if "Flow" in frame.value.columns)
    assert set(gaps["Flow"]) == {"Wave of gaps"}
    assert "Operating system family" in set(gaps["Field"])
    assert all("gaps?flow=" in link for link in gaps["Open"])
    # Blanks where there is nothing, never the word None.
    for frame in app.dataframe:
        for column in frame.value.columns:
            assert "None" not in {str(cell) for cell in frame.value[column] if cell is not None}


def test_an_address_naming_no_asset_of_the_engagement_says_so(db, make_tenant, open_page):
    mine, theirs = make_tenant(), make_tenant()
    in_uow(db, theirs, import_assets, to_csv(HEADER, [["secret-01", "server", "", ""]]), "t.csv")
    [foreign] = in_uow(db, theirs, page_assets, {}).rows
    for address in (str(foreign["id"]), "nothing"):
        app = open_page(mine, "assets")
        app.query_params["asset"] = address
        app.run()
        no_exceptions(app)
        assert texts(app, "error") == [NOT_FOUND]
        assert "secret-01" not in str(app)
