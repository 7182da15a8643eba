"""Headers match however a tool spells them: case, accents, separators, camel case, prefixes."""

import pytest

from core.inventory.column_mapping import export_header, map_columns


def targets(headers):
    return {column.header: column.target for column in map_columns(headers)}


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("FQDN", "custom_attributes.fqdn"),
        ("DNS Name", "custom_attributes.fqdn"),
        ("IP Address", "custom_attributes.ip_address"),
        ("Primary IP Address", "custom_attributes.ip_address"),
        ("Asset EOL Date", "custom_attributes.end_of_support_date"),
        ("EOL-Date", "custom_attributes.end_of_support_date"),
        ("Data Center", "custom_attributes.datacenter"),
        ("Cluster", "custom_attributes.cluster"),
        ("ESXi Host", "custom_attributes.host"),
        ("Application", "custom_attributes.application"),
        ("App Tier", "custom_attributes.tier"),
        ("Asset Tag", "custom_attributes.asset_tag"),
        ("VM UUID", "custom_attributes.vm_uuid"),
        ("server_os_family", "operating_system"),
        ("server_environment", "environment"),
        ("vm_os_version", "os_version"),
        ("NumCpu", "cpu_cores"),
        ("MemoryGB", "memory_gb"),
        ("UsedSpaceGB", "custom_attributes.storage_used_gb"),
        ("ÉNVIRONNEMENT", "environment"),
        ("Operating-System", "operating_system"),
        ("Betriebssystem", "operating_system"),
        ("Criticité", "business_criticality"),
    ],
)
def test_headers_match_through_spelling_and_prefixes(header, target):
    assert targets(["Name", header])[header] == target


def test_unicode_headers_stay_readable_as_custom_keys():
    mapped = targets(["Name", "Domäne", "Standort (Gebäude)", "Ответственный"])
    assert mapped["Domäne"] == "custom_attributes.domäne"
    assert mapped["Standort (Gebäude)"] == "custom_attributes.standort_gebäude"
    assert mapped["Ответственный"] == "custom_attributes.ответственный"
    assert export_header("custom_attributes.domäne") == "Domäne"


def test_a_name_alias_taken_by_a_better_name_column_falls_to_its_own_field():
    mapped = targets(["server_name", "app_name", "server_fqdn", "DNS Name"])
    assert mapped == {
        "server_name": "name",
        "app_name": "custom_attributes.application",
        "server_fqdn": "custom_attributes.fqdn",
        "DNS Name": "custom_attributes.dns_name",  # the FQDN column took the field
    }


def test_a_file_named_by_fqdn_alone_uses_it_as_the_name():
    assert targets(["FQDN", "OS"]) == {"FQDN": "name", "OS": "operating_system"}
