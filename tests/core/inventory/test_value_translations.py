"""Columns a person added (an environment written PRD / HML, a "DB SQL" yes / no) are read as
the attributes they are, their values translated into the catalogue's choices by a saved
mapping, so no gap is asked for what the file states."""

import pytest
from sqlalchemy import select

from core.gaps.scan import gaps_of_asset
from core.inventory.importer import import_assets, preview_import
from core.inventory.mapping_choices import MappingChoices
from core.inventory.saved_mappings import load_mapping, save_mapping
from core.kernel.errors import BadRequest
from db.models import Asset
from tests.core.inventory.profile_files import RVTOOLS_VINFO, rvtools_vm
from tests.core.inventory.rvtools_sheets import rvtools_workbook
from tests.factories import in_uow

HEADER = [*RVTOOLS_VINFO, "PRDorHML", "DB SQL"]
CHOICES = MappingChoices.parse(
    {"PRDorHML": "environment", "DB SQL": "custom_attributes.runs_sql_server"},
    values={"PRDorHML": {"PRD": "production", "HML": "staging"}, "DB SQL": {"Y": "yes"}},
)


def workbook() -> bytes:
    rows = [
        [*rvtools_vm("web-01"), "PRD", "N"],
        [*rvtools_vm("web-02"), " hml ", "Y"],
        [*rvtools_vm("web-03"), "DEV", ""],
    ]
    return rvtools_workbook(rows, vinfo_header=HEADER)


def test_a_saved_mapping_reads_an_added_column_and_translates_its_values(db, tenant):
    before = in_uow(db, tenant, import_assets, workbook(), "RVTools.xlsx")
    db.expire_all()
    web = db.scalars(select(Asset).where(Asset.name == "web-01")).one()
    assert before.created == 3 and web.environment is None  # PRDorHML was a custom attribute
    assert web.custom_attributes["prdorhml"] == "PRD"

    in_uow(db, tenant, save_mapping, "RVTools with environments", CHOICES)
    saved = in_uow(db, tenant, load_mapping, "RVTools with environments")
    assert saved.choices == CHOICES
    preview = preview_import(workbook(), "RVTools.xlsx", choices=saved.choices)
    assert preview.mapping["PRDorHML"] == "environment"
    report = in_uow(db, tenant, import_assets, workbook(), "RVTools.xlsx", choices=saved.choices)

    assert report.updated == 3
    db.expire_all()
    assets = {a.name: a for a in db.scalars(select(Asset))}
    assert [assets[n].environment for n in ("web-01", "web-02", "web-03")] == [
        "production", "staging", "DEV",
    ]  # fmt: skip
    assert assets["web-02"].custom_attributes["runs_sql_server"] == "yes"
    assert "environment" not in {gap["field_name"] for gap in gaps_of_asset(assets["web-01"])}


def test_a_translation_needs_a_value_on_both_sides():
    with pytest.raises(BadRequest, match="a translation takes a value of 1 to 200 characters"):
        MappingChoices.parse({"Env": "environment"}, values={"Env": {"PRD": ""}})
    extended = CHOICES.with_columns({"Owner": "business_owner"})
    assert extended.columns["Owner"] == "business_owner" and extended.values == CHOICES.values
