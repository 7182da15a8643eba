"""A person's changes to a detected mapping: remap, ignore, set a unit; checked at the edge."""

import pytest
from sqlalchemy import select

from core.inventory.importer import import_assets, preview_import
from core.inventory.mapping_choices import MappingChoices
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import csv_bytes
from tests.factories import in_uow

HEADER = ["Hostname", "Mem", "Notes", "Bereich", "Rack"]
ROWS = [["a-1", "16384", "keep out", "Finanzen", "R1"], ["a-2", "8192", "", "HR", "R2"]]


def test_a_column_remapped_ignored_and_read_in_mb(db, tenant):
    choices = MappingChoices.parse(
        {"Mem": "memory_gb", "Notes": "ignore", "Bereich": "application"}, {"Mem": "mb"}
    )
    content = csv_bytes(HEADER, ROWS)
    preview = preview_import(content, "a.csv", choices=choices)
    assert preview.mapping == {
        "Hostname": "name",
        "Mem": "memory_gb",
        "Notes": "ignore",
        "Bereich": "custom_attributes.application",
        "Rack": "custom_attributes.rack",
    }
    assert preview.units["Mem"] == "mb"
    in_uow(db, tenant, import_assets, content, "a.csv", choices=choices)
    asset = db.scalars(select(Asset).where(Asset.name == "a-1")).one()
    assert asset.memory_gb == 16.0
    assert asset.custom_attributes == {"application": "Finanzen", "rack": "R1"}


@pytest.mark.parametrize(
    ("columns", "units", "message"),
    [
        ({"Mem": "favourite_colour"}, None, "cannot be mapped to 'favourite_colour'"),
        ({"Mem": "custom_attributes."}, None, "cannot be mapped"),
        (None, {"Mem": "parsecs"}, "'parsecs' is no size unit"),
        (["Mem"], None, "the mapping must be"),
    ],
)
def test_choices_that_cannot_be_are_refused_naming_the_column(columns, units, message):
    with pytest.raises(BadRequest, match=message):
        MappingChoices.parse(columns, units)


def test_the_preview_marks_the_rows_the_import_would_skip():
    content = csv_bytes(
        ["VM", "Powerstate", "Template", "CPUs", "Memory", "Provisioned MiB"],
        [
            ["web-01", "poweredOn", "False", "2", "4096", "1024"],
            ["tmpl", "poweredOff", "True", "2", "4096", "1024"],
            ["web-01", "poweredOn", "False", "2", "4096", "1024"],
            ["neg", "poweredOn", "False", "-2", "4096", "1024"],
        ],
    )
    preview = preview_import(content, "vinfo.csv")
    assert preview.profile == "RVTools (vInfo)"
    assert preview.skip_reasons == [
        None,
        "template",
        "duplicate name 'web-01' (first on row 2)",
        "CPUs: '-2' is negative",
    ]
