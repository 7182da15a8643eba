"""Importing inventories: mapping preview, upsert by name, per-row reports, all or nothing."""

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import core.inventory.importer as asset_import
from config.settings import get_settings
from core.inventory.importer import import_assets, preview_import
from core.kernel.errors import BadRequest, Forbidden
from core.storage.assets import AssetRepository
from db.models import Asset, AuditEvent
from tests.core.inventory_files import (
    SERVICENOW_HEADER,
    servicenow_csv,
    servicenow_rows,
    snapshot_assets,
    to_csv,
    to_xlsx,
)
from tests.factories import in_uow

pytestmark = pytest.mark.both_backends

FUZZ = settings(
    max_examples=50,
    database=None,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def stored(db, name):
    db.expire_all()
    return db.scalars(select(Asset).where(Asset.name == name)).one()


def test_preview_shows_the_mapping_sample_rows_and_the_row_count_when_it_read_them_all():
    preview = preview_import(servicenow_csv(30), "cmdb_ci_server.csv", sample_rows=3)
    assert preview.row_count is None  # it reads only the rows it shows: more follow
    assert preview_import(servicenow_csv(30), "cmdb_ci_server.csv", sample_rows=30).row_count == 30
    assert preview.mapping["Name"] == "name"
    assert preview.mapping["RAM (MB)"] == "memory_gb"
    assert preview.mapping["Hypervisor"] == "custom_attributes.virtualization_platform"
    assert preview.mapping["Location"] == "custom_attributes.location"
    assert preview.unmapped == ["Location"]
    assert [row["Name"] for row in preview.sample_rows] == ["srv-00000", "srv-00001", "srv-00002"]
    assert "'RAM (MB)' is read in MB and stored in GB" in preview.notes


def test_a_servicenow_export_is_imported_with_units_types_and_custom_attributes(db, tenant):
    progress = []
    report = in_uow(
        db,
        tenant,
        import_assets,
        servicenow_csv(40),
        "cmdb.csv",
        progress=lambda *p: progress.append(p),
    )
    assert (report.created, report.updated, report.unchanged, report.skipped) == (40, 0, 0, [])
    assert progress[-1] == (40, 40)
    vm = stored(db, "srv-00002")
    assert vm.asset_type == "virtual_machine"
    assert (vm.operating_system, vm.os_version) == ("Ubuntu", "22.04")
    assert (vm.cpu_cores, vm.memory_gb, vm.storage_gb) == (8, 12.0, 120.0)
    assert vm.environment == "Development" and vm.business_owner == "Owner 2"
    assert vm.custom_attributes == {
        "virtualization_platform": "VMware",
        "location": "DC1",
        "source_class": "VMware Virtual Machine Instance",  # the class as the CMDB wrote it
    }
    gappy = stored(db, "srv-00000")
    assert (gappy.asset_type, gappy.environment, gappy.business_owner) == ("server", "TBD", None)
    assert stored(db, "srv-00003").asset_type == "database"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "assets_imported")).one()
    assert event.details["created"] == 40 and event.user_id == tenant.user_id


def test_a_reimport_updates_changed_rows_and_says_the_rest_are_unchanged(db, tenant):
    rows = servicenow_rows(10)
    in_uow(db, tenant, import_assets, to_csv(SERVICENOW_HEADER, rows), "a.csv")
    before = snapshot_assets(db)
    again = in_uow(db, tenant, import_assets, to_csv(SERVICENOW_HEADER, rows), "a.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 10)
    assert snapshot_assets(db) == before

    rows[1][4] = "16"  # cores
    rows[2][13] = ""  # an emptied custom attribute is removed
    rows.append(["new-01", "Server", "", "", "", "", "", "", "", "", "", "", "", ""])
    report = in_uow(db, tenant, import_assets, to_csv(SERVICENOW_HEADER, rows), "a.csv")
    assert (report.created, report.updated, report.unchanged) == (1, 2, 8)
    assert stored(db, "srv-00001").cpu_cores == 16
    assert "location" not in stored(db, "srv-00002").custom_attributes
    assert db.scalar(select(func.count()).select_from(Asset)) == 11


def test_columns_missing_from_a_file_are_left_alone(db, tenant):
    in_uow(db, tenant, import_assets, servicenow_csv(3), "full.csv")
    partial = to_csv(["hostname", "Tech Owner", "Rack"], [["srv-00001", "Ops", "R9"]])
    report = in_uow(db, tenant, import_assets, partial, "partial.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    asset = stored(db, "srv-00001")
    assert asset.technical_owner == "Ops" and asset.operating_system == "Windows Server"
    assert asset.asset_type == "server"  # no type column: the stored type stays
    assert asset.custom_attributes == {
        "location": "DC2",
        "rack": "R9",
        "source_class": "Windows Server",
    }


def test_bad_rows_are_skipped_with_their_reason_and_the_rest_imported(db, tenant):
    content = to_csv(
        ["Server Name", "vCPU", "Memory", "Type"],
        [
            ["ok-1", "1,024", "16 GB", "VM"],
            ["", "2", "4", "server"],
            ["bad-cores", "lots", "4", "server"],
            ["ok-1", "2", "4", "server"],
            ["bad-memory", "2", "16 parsecs", "server"],
            ["ok-2", "", "", "toaster"],
        ],
    )
    report = in_uow(db, tenant, import_assets, content, "mixed.csv")
    assert report.created == 2 and report.rows == 6
    # Each line names the cell at fault, so the row-level report says what to fix.
    assert report.skipped == [
        {
            "row": 3,
            "column": "Server Name",
            "value": "",
            "reason": "no name: the name column is empty",
        },
        {"row": 4, "column": "vCPU", "value": "lots", "reason": "vCPU: 'lots' is not a number"},
        {
            "row": 5,
            "column": "name",
            "value": "ok-1",
            "reason": "duplicate name 'ok-1' (first on row 2)",
        },
        {
            "row": 6,
            "column": "Memory",
            "value": "16 parsecs",
            "reason": "Memory: '16 parsecs' has a unit that cannot be read as GB",
        },
    ]
    assert (stored(db, "ok-1").cpu_cores, stored(db, "ok-1").memory_gb) == (1024, 16.0)
    assert stored(db, "ok-2").asset_type == "other"


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("latin-1", ";"), ("utf-16", ",")],
)
def test_encodings_and_delimiters_are_detected(db, tenant, encoding, delimiter):
    content = to_csv(
        ["Hostname", "Business Owner"],
        [["café-01", "Zoë Müller"], ["straße", "François"]],
        delimiter=delimiter,
        encoding=encoding,
    )
    assert in_uow(db, tenant, import_assets, content, "owners.csv").created == 2
    assert stored(db, "café-01").business_owner == "Zoë Müller"


def test_excel_workbooks_with_a_title_row_and_typed_cells(db, tenant):
    header = ["Title", "Hostname", "vCPUs", "RAM GB", "Asset Class", "EOL"]
    rows = [["", "x-1", 4, 15.5, "Physical", "2027-01-31"], ["", "x-2", 2.0, 8, "VM", None]]
    content = to_xlsx(header, rows, title_rows=1)
    preview = preview_import(content, "export.xlsx")
    assert preview.row_count == 2 and preview.mapping["vCPUs"] == "cpu_cores"
    report = in_uow(db, tenant, import_assets, content, "export.xlsx")
    assert report.created == 2 and report.skipped == []
    asset = stored(db, "x-1")
    assert (asset.cpu_cores, asset.memory_gb, asset.asset_type) == (4, 15.5, "server")
    assert asset.custom_attributes == {
        "end_of_support_date": "2027-01-31",
        "source_class": "Physical",
    }
    assert stored(db, "x-2").cpu_cores == 2


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"os,cores\nlinux,4\n", "noname.csv", "no name column"),
        (b"\x00\x01\x02\x03" * 50, "binary.csv", "cannot be read as text"),
        (b"PK\x03\x04 not really a zip", "fake.xlsx", "not a readable Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old", "old.xls", ".xls"),
        (b"name\nx\n", "inventory.pdf", "unsupported file type"),
        (b'name,notes\nx,"' + b"y" * 200_000 + b'"\n', "huge.csv", "row 2 cannot be read"),
    ],
)
def test_unreadable_files_are_a_clear_400(db, tenant, content, filename, message):
    with pytest.raises(BadRequest, match=message) as raised:
        in_uow(db, tenant, import_assets, content, filename)
    assert raised.value.status == 400
    assert db.scalar(select(func.count()).select_from(Asset)) == 0


def test_files_over_the_row_limit_are_refused_before_anything_is_written(db, tenant):
    assert get_settings().import_max_rows == 200_000
    with pytest.raises(BadRequest, match="holds more than 5 rows; at most 5"):
        in_uow(db, tenant, import_assets, servicenow_csv(6), "big.csv", max_rows=5)
    assert db.scalar(select(func.count()).select_from(Asset)) == 0
    assert in_uow(db, tenant, import_assets, servicenow_csv(5), "ok.csv", max_rows=5).created == 5


def test_only_roles_that_may_import_can(db, make_tenant):
    manager = make_tenant(role="manager")
    with pytest.raises(Forbidden):
        in_uow(db, manager, import_assets, servicenow_csv(2), "a.csv")


def test_assets_of_another_engagement_with_the_same_name_are_not_touched(
    db, make_tenant, owner_engine
):
    mine, theirs = make_tenant(), make_tenant()
    in_uow(db, theirs, import_assets, servicenow_csv(3), "theirs.csv")
    before = snapshot_assets(owner_engine)
    report = in_uow(db, mine, import_assets, servicenow_csv(3, delimiter=";"), "mine.csv")
    assert report.created == 3
    theirs_now = [row for row in snapshot_assets(owner_engine) if theirs.client_account_id in row]
    assert theirs_now == before


def test_a_database_error_in_a_later_batch_rolls_back_every_batch(db, tenant, monkeypatch):
    in_uow(db, tenant, import_assets, to_csv(["name", "os"], [["keep-me", "AIX"]]), "first.csv")
    before = snapshot_assets(db)
    monkeypatch.setattr(asset_import, "BATCH_SIZE", 4)
    original = AssetRepository.upsert_by_name
    calls = []

    def upsert_then_break(self, rows, update_columns, constants):
        calls.append(len(rows))
        if len(calls) == 3:
            rows = [{**rows[0], "asset_type": "spaceship"}]  # violates ck_assets_asset_type
        original(self, rows, update_columns, constants)

    monkeypatch.setattr(AssetRepository, "upsert_by_name", upsert_then_break)
    with pytest.raises(Exception, match="ck_assets_asset_type|CHECK constraint"):
        in_uow(db, tenant, import_assets, servicenow_csv(12, delimiter=";"), "second.csv")
    assert calls[:2] == [4, 4]  # two batches were written before the failure
    assert snapshot_assets(db) == before
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_a_failing_progress_callback_also_leaves_nothing_behind(db, tenant, monkeypatch):
    monkeypatch.setattr(asset_import, "BATCH_SIZE", 2)

    def cancel(processed, total):
        if processed >= 4:
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        in_uow(db, tenant, import_assets, servicenow_csv(6), "a.csv", progress=cancel)
    assert snapshot_assets(db) == []


CELLS = st.one_of(
    st.sampled_from(["", " ", "TBD", "1,024", "16 GB", "2,5", "-3", "lots", "∞", "N/A", "VM"]),
    st.text(max_size=12),
    st.text(alphabet="0123456789.,", max_size=8),
    st.text(min_size=300, max_size=400),  # longer than any typed column
)
HEADERS = st.lists(
    st.sampled_from(["Name", "Hostname", "vCPU", "RAM (MB)", "Disk", "OS", "Env", "Type", "x"]),
    min_size=1,
    max_size=6,
)


@st.composite
def inventory_files(draw):
    """Ragged rows, bad numbers, duplicate names, huge cells, odd encodings, garbage bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300)), draw(st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
    header = draw(HEADERS)
    if draw(st.integers(0, 4)):
        header = [draw(st.sampled_from(["Name", "Hostname", "VM"])), *header]
    rows = draw(
        st.lists(
            st.lists(st.one_of(CELLS, st.sampled_from(["dup", "dup", "a"])), max_size=8),
            min_size=1,
            max_size=12,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    try:
        content = to_csv(header, rows, delimiter=delimiter, encoding=encoding)
    except UnicodeEncodeError:
        content = to_csv(header, rows, delimiter=delimiter).decode().encode(encoding, "replace")
    if draw(st.booleans()):
        content = content[: draw(st.integers(0, len(content)))]  # a cut-off upload
    return content, "inventory.csv"


# Reading a file is the same on both databases; the writes are covered above on each.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@FUZZ
@given(upload=inventory_files())
def test_every_fuzzed_file_ends_in_a_report_or_a_clear_400(db, tenant, upload):
    content, filename = upload
    before = snapshot_assets(db)
    try:
        report = in_uow(db, tenant, import_assets, content, filename)
    except BadRequest as error:
        event("refused with a 400")
        assert error.status == 400 and error.message
        assert snapshot_assets(db) == before
        return
    event("imported with skipped rows" if report.skipped else "imported")
    assert report.created + report.updated + report.unchanged + len(report.skipped) == report.rows
    assert all(entry["reason"] and entry["row"] >= 2 for entry in report.skipped)
    after = snapshot_assets(db)
    assert len(after) == len(before) + report.created
