"""Headers of common inventory exports map to asset fields; values parse as people write them."""

import pytest

from core.catalogue.attributes import CATALOGUE
from core.catalogue.labels import FIELDS
from core.inventory.column_mapping import (
    CUSTOM_PREFIX,
    export_header,
    map_columns,
    normalize_asset_type,
    normalize_header,
    recognize,
    target_of,
)
from core.inventory.export import ASSET_COLUMNS, CATALOGUE_CUSTOM
from core.inventory.profiles import detect_profile
from core.inventory.profiles.vmware import RVTOOLS
from core.inventory.rows import RowConverter, RowProblem, convert_row, default_asset_type
from tests.words import identifiers_in


def targets(headers):
    return {column.header: column.target for column in map_columns(headers)}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Name", "name"),
        ("Hostname", "name"),
        ("Server Name", "name"),
        ("CI Name", "name"),
        ("VM", "name"),
        ("OS", "operating_system"),
        ("OS Name", "operating_system"),
        ("Operating System", "operating_system"),
        ("OS Version", "os_version"),
        ("Cores", "cpu_cores"),
        ("vCPU", "cpu_cores"),
        ("CPUs", "cpu_cores"),
        ("RAM", "memory_gb"),
        ("Memory (GB)", "memory_gb"),
        ("Storage", "storage_gb"),
        ("Disk Size", "storage_gb"),
        ("Provisioned MiB", "storage_gb"),
        ("Environment", "environment"),
        ("Application Owner", "business_owner"),
        ("Business Owner", "business_owner"),
        ("Technical Owner", "technical_owner"),
        ("Support Group", "technical_owner"),
        ("Criticality", "business_criticality"),
        ("Tech Stack", "technology_stack"),
        ("Asset Type", "asset_type"),
        ("Class", "asset_type"),
        ("Hypervisor", "custom_attributes.virtualization_platform"),
        ("End of Life", "custom_attributes.end_of_support_date"),
        ("Vulnerabilities", "custom_attributes.known_vulnerabilities"),
    ],
)
def test_common_headers_map_to_their_field(header, field):
    assert targets([header])[header] == field


def test_a_servicenow_cmdb_export():
    mapped = targets(
        [
            "Name",
            "Class",
            "Operating System",
            "OS Version",
            "CPU count",
            "CPU core count",
            "RAM (MB)",
            "Disk space (GB)",
            "Used for",
            "Owned by",
            "Support group",
            "Serial number",
        ]
    )
    assert mapped == {
        "Name": "name",
        "Class": "asset_type",
        "Operating System": "operating_system",
        "OS Version": "os_version",
        # The core count is the better alias; the socket count is kept as it is.
        "CPU count": "custom_attributes.cpu_count",
        "CPU core count": "cpu_cores",
        "RAM (MB)": "memory_gb",
        "Disk space (GB)": "storage_gb",
        "Used for": "environment",
        "Owned by": "business_owner",
        "Support group": "technical_owner",
        "Serial number": "custom_attributes.serial_number",
    }


def test_rvtools_vinfo_reads_memory_in_mib_and_keeps_the_esx_host_apart():
    headers = ["VM", "Powerstate", "CPUs", "Memory", "Provisioned MiB", "In Use MiB", "Host"]
    profile = detect_profile(headers)
    assert profile is RVTOOLS
    columns = {c.header: c for c in map_columns(headers, profile.columns, profile.units)}
    assert columns["VM"].target == "name"
    assert columns["Memory"].target == "memory_gb" and columns["Memory"].unit == "mib"
    assert columns["Memory"].unit_factor == 1 / 1024
    assert columns["Provisioned MiB"].target == "storage_gb"
    assert columns["In Use MiB"].target == "custom_attributes.storage_used_gb"
    assert columns["In Use MiB"].unit == "mib"
    assert columns["Host"].target == "custom_attributes.host"
    assert columns["Powerstate"].target == "custom_attributes.power_state"
    assert default_asset_type(list(columns.values()), profile) == "virtual_machine"


def test_memory_without_a_unit_is_gb_outside_rvtools():
    column = map_columns(["hostname", "Memory"])[1]
    assert (column.target, column.unit_factor) == ("memory_gb", 1.0)
    assert default_asset_type(map_columns(["hostname"])) == "server"


def test_device42_and_flexera_headers():
    assert targets(["name", "type", "os", "osver", "cpucore", "ram", "service_level"]) == {
        "name": "name",
        "type": "asset_type",
        "os": "operating_system",
        "osver": "os_version",
        "cpucore": "cpu_cores",
        "ram": "memory_gb",
        "service_level": "environment",
    }
    flexera = targets(["Computer name", "Number of processors", "Total memory (MB)"])
    assert flexera == {
        "Computer name": "name",
        "Number of processors": "cpu_cores",
        "Total memory (MB)": "memory_gb",
    }


def test_unknown_and_duplicate_columns_are_kept_under_distinct_custom_keys():
    mapped = map_columns(["Name", "Rack / Position", "Hostname", "", "rack_position"])
    assert [column.target for column in mapped] == [
        "name",
        "custom_attributes.rack_position",
        "custom_attributes.hostname",
        "custom_attributes.column_4",
        "custom_attributes.rack_position_2",
    ]
    assert [column.recognized for column in mapped] == [True, False, False, False, False]


def test_normalize_header():
    assert normalize_header("  RAM (MB) ") == "ram_mb"
    assert normalize_header("OS-Name") == "os_name"
    assert normalize_header(None) == ""
    assert recognize("Memory in GB")[0] == "memory_gb"


@pytest.mark.parametrize(
    ("spelling", "asset_type"),
    [
        ("Server", "server"),
        ("Windows Server", "server"),
        ("cmdb_ci_linux_server", "server"),
        ("Physical", "server"),
        ("VM", "virtual_machine"),
        ("Virtual Machine", "virtual_machine"),
        ("VMware Virtual Machine Instance", "virtual_machine"),
        ("virtual", "virtual_machine"),
        ("DB", "database"),
        ("Database Instance", "database"),
        ("SQL Server Instance", "database"),
        ("Business Application", "application"),
        ("App", "application"),
        ("Load Balancer", "network"),
        ("Firewall", "network"),
        ("SAN", "storage"),
        ("storage", "storage"),
        ("Toaster", "other"),
        ("", "other"),
    ],
)
def test_asset_types_from_common_spellings(spelling, asset_type):
    assert normalize_asset_type(spelling) == asset_type


def test_a_row_becomes_typed_values_and_custom_attributes():
    columns = map_columns(["Host Name", "vCPU", "RAM (MB)", "Class", "Rack", "Vulnerabilities"])
    row = convert_row(7, ["web-01 ", "4", "8192", "VM", "R12", "3"], columns, "server")
    assert row.row == 7 and row.name == "web-01"
    assert row.values == {
        "name": "web-01",
        "cpu_cores": 4,
        "memory_gb": 8.0,
        "asset_type": "virtual_machine",
    }
    assert row.custom == {"rack": "R12", "known_vulnerabilities": 3, "source_class": "VM"}


def test_placeholders_in_catalogue_numbers_are_kept_for_the_gap_scan():
    columns = map_columns(["name", "known_vulnerabilities", "cpu_cores"])
    row = convert_row(2, ["a", "TBD", "TBD"], columns, "server")
    assert row.custom == {"known_vulnerabilities": "TBD"}
    assert row.values["cpu_cores"] is None


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["", "4"], "no name"),
        (["a", "four"], "vCPU: 'four' is not a number"),
        (["a", "4.5"], "vCPU: '4.5' is not a whole number"),
        (["a", "99999999999"], "too large"),
        (["a", "4", "surprise"], "3 values but the header has 2 columns"),
        (["x" * 300, "4"], "longer than 255 characters"),
    ],
)
def test_rows_that_cannot_be_stored_say_why(cells, reason):
    columns = map_columns(["name", "vCPU"])
    with pytest.raises(RowProblem, match=reason):
        convert_row(3, cells, columns, "server")


def test_a_value_repeated_down_a_column_reads_the_same_in_every_row():
    columns = map_columns(["name", "vCPU", "Rack"])
    convert = RowConverter(columns, "server")
    rows = [(2, ["a", "4", True]), (3, ["b", "4", 1]), (4, ["c", "four", 1.0]), (5, ["d", "4", 1])]
    read = []
    for number, cells in rows:
        try:
            row = convert(number, cells)
            read.append((row.values["cpu_cores"], row.custom["rack"]))
        except RowProblem as problem:
            read.append(str(problem))
    # True, 1 and 1.0 are equal in Python, yet a cell holding each reads as it is written.
    assert read == [(4, "True"), (4, "1"), "vCPU: 'four' is not a number", (4, "1")]


EXPORTED_KEYS = (
    *CATALOGUE_CUSTOM, "rack", "Weird Key", "name", "os", "memory_mb", "fqdn", "os_name",
    "smbios_uuid", "cpu_sockets", "memory_reservation_gb", "storage_used_gb", "domäne",
)  # fmt: skip


def test_the_asset_export_header_maps_back_to_the_same_fields():
    targets = (*ASSET_COLUMNS, *(CUSTOM_PREFIX + key for key in EXPORTED_KEYS))
    header = [export_header(target) for target in targets]
    mapped = [column.target for column in map_columns(header)]
    assert mapped == list(targets)
    assert all(column.unit_factor == 1.0 for column in map_columns(header))
    assert {a.name for a in CATALOGUE} == set(ASSET_COLUMNS[2:]) | set(CATALOGUE_CUSTOM)


def test_the_asset_export_header_is_each_fields_label():
    header = {key: export_header(CUSTOM_PREFIX + key) for key in EXPORTED_KEYS}
    assert [export_header(field) for field in ASSET_COLUMNS[:5]] == [
        "Name", "Asset type", "Operating system family", "Operating system version", "CPU cores",
    ]  # fmt: skip
    assert (header["rack"], header["fqdn"], header["cpu_sockets"]) == (
        "Rack", "FQDN", "CPU sockets",
    )  # fmt: skip
    assert (header["memory_reservation_gb"], header["domäne"]) == (
        "Memory reservation (GB)", "Domäne",
    )  # fmt: skip
    # A label that names another field is marked as the custom attribute it is.
    assert (header["os"], header["os_name"], header["name"]) == (
        "Os (custom)", "OS name (custom)", "Name (custom)",
    )  # fmt: skip
    # A key no label can spell is written as the importer keeps it.
    assert header["Weird Key"] == "custom_attributes.Weird Key"


def test_every_labelled_field_is_exported_under_words():
    written = {export_header(target_of(field)) for field in FIELDS}
    assert identifiers_in(written) == {}


def test_a_header_marked_custom_is_a_custom_attribute_whatever_its_words_name():
    assert targets(["Name", "OS name (custom)", "Memory (custom)"]) == {
        "Name": "name",
        "OS name (custom)": "custom_attributes.os_name",
        "Memory (custom)": "custom_attributes.memory",
    }
