"""A type only from a value that names a class; the class as written is always kept."""

import pytest

from core.inventory.asset_types import normalize_asset_type
from core.inventory.column_mapping import map_columns
from core.inventory.rows import convert_row


@pytest.mark.parametrize(
    ("value", "asset_type"),
    [
        ("cmdb_ci_linux_server", "server"),
        ("cmdb_ci_win_server", "server"),
        ("cmdb_ci_vmware_instance", "virtual_machine"),
        ("cmdb_ci_db_mssql_instance", "database"),
        ("cmdb_ci_appl", "application"),
        ("Virtual Machine", "virtual_machine"),
        ("Bare Metal", "server"),
        ("VMware ESXi Host", "server"),
        ("Roofing (Metal)", "other"),
        ("Metal roofing, building B", "other"),
        ("Office chair", "other"),
        ("Laptop for the sales team (Windows)", "other"),
    ],
)
def test_a_type_comes_only_from_a_class(value, asset_type):
    assert normalize_asset_type(value) == asset_type


def test_free_text_in_a_category_column_is_kept_as_the_source_class():
    columns = map_columns(["Asset Tag", "Name", "Category"])
    row = convert_row(2, ["A-17", "Roof north", "Roofing (Metal)"], columns, "server")
    assert row.values["asset_type"] == "other"
    assert row.custom["source_class"] == "Roofing (Metal)"
