"""Named mappings of an engagement: saved, listed, reused; another tenant's are not found."""

import pytest

from core.inventory.importer import import_assets
from core.inventory.mapping_choices import MappingChoices
from core.inventory.saved_mappings import load_mapping, mapping_names, save_mapping
from core.kernel.errors import BadRequest, Forbidden, NotFound
from tests.core.inventory.profile_files import csv_bytes
from tests.factories import in_uow

CHOICES = MappingChoices.parse({"Mem": "memory_gb", "Notes": "ignore"}, {"Mem": "mb"})


def test_a_saved_mapping_is_listed_reloaded_and_reused_for_the_next_file(db, tenant):
    in_uow(db, tenant, save_mapping, "Team CMDB", CHOICES, "Asset Tag")
    in_uow(db, tenant, save_mapping, "Another", MappingChoices.parse({"X": "fqdn"}))
    assert in_uow(db, tenant, mapping_names) == ["Another", "Team CMDB"]
    saved = in_uow(db, tenant, load_mapping, "Team CMDB")
    assert (saved.choices, saved.key) == (CHOICES, "Asset Tag")

    content = csv_bytes(["Asset Tag", "Name", "Mem", "Notes"], [["T1", "a", "2048", "x"]])
    report = in_uow(db, tenant, import_assets, content, "next.csv", key=saved.key,
                    choices=saved.choices)  # fmt: skip
    assert report.created == 1


def test_saving_under_a_name_again_replaces_the_mapping(db, tenant):
    in_uow(db, tenant, save_mapping, "Team CMDB", CHOICES)
    replaced = MappingChoices.parse({"Mem": "ignore"})
    in_uow(db, tenant, save_mapping, "Team CMDB", replaced)
    assert in_uow(db, tenant, load_mapping, "Team CMDB").choices == replaced
    assert in_uow(db, tenant, mapping_names) == ["Team CMDB"]


def test_another_engagements_mapping_is_not_found(db, tenant, make_tenant):
    in_uow(db, tenant, save_mapping, "Team CMDB", CHOICES)
    other = make_tenant()
    assert in_uow(db, other, mapping_names) == []
    with pytest.raises(NotFound):
        in_uow(db, other, load_mapping, "Team CMDB")


def test_a_manager_may_read_but_not_save_and_a_name_is_required(db, tenant, make_tenant):
    manager = make_tenant(role="manager")
    with pytest.raises(Forbidden):
        in_uow(db, manager, save_mapping, "Mine", CHOICES)
    assert in_uow(db, manager, mapping_names) == []
    with pytest.raises(BadRequest, match="a mapping needs a name"):
        in_uow(db, tenant, save_mapping, "   ", CHOICES)
