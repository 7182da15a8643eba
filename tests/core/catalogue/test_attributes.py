import pytest

from core.catalogue.attributes import (
    ASSET_TYPES,
    BY_NAME,
    CATALOGUE,
    GapCategory,
    GapType,
    attributes_for,
    question_for,
)
from core.catalogue.values import classify_value, normalize_answer


def test_the_catalogue_has_21_attributes_in_4_categories():
    assert len(CATALOGUE) == 21
    assert {attribute.category for attribute in CATALOGUE} == set(GapCategory)
    assert len(BY_NAME) == 21


def test_every_asset_type_needs_at_least_the_business_attributes():
    for asset_type in ASSET_TYPES:
        names = {attribute.name for attribute in attributes_for(asset_type)}
        assert {"business_owner", "business_criticality", "environment"} <= names


def test_attributes_are_filtered_by_asset_type():
    assert "database_engine" in {a.name for a in attributes_for("database")}
    assert "database_engine" not in {a.name for a in attributes_for("server")}


@pytest.mark.parametrize("placeholder", ["TBD", "n/a", "Unknown", "?", "-"])
def test_placeholders_are_invalid_values(placeholder):
    assert classify_value(BY_NAME["business_owner"], placeholder) is GapType.INVALID


@pytest.mark.parametrize("empty", [None, "", "   "])
def test_empty_values_are_missing(empty):
    assert classify_value(BY_NAME["business_owner"], empty) is GapType.MISSING


def test_numbers_out_of_range_or_not_whole_are_invalid():
    cores = BY_NAME["cpu_cores"]
    assert classify_value(cores, 0) is GapType.INVALID
    assert classify_value(cores, 2.5) is GapType.INVALID
    assert classify_value(cores, "eight") is GapType.INVALID
    assert classify_value(cores, "16") is None


def test_select_values_accept_inventory_spellings_of_an_option():
    family = BY_NAME["operating_system"]
    assert normalize_answer(family, "Microsoft Windows Server 2019") == ("Windows", None)
    assert normalize_answer(family, "linux") == ("Linux", None)
    value, problem = normalize_answer(family, "Plan 9")
    assert value is None and "not one of" in problem


def test_answers_are_normalized_or_explained():
    memory = BY_NAME["memory_gb"]
    assert normalize_answer(memory, "1,024") == (1024.0, None)
    assert normalize_answer(memory, True)[1] == "expected a number"
    assert "above the maximum" in normalize_answer(memory, 10**9)[1]
    assert normalize_answer(BY_NAME["technical_debt_score"], 7.0) == (7, None)


def test_a_critical_attribute_becomes_a_required_typed_question():
    question = question_for(BY_NAME["business_criticality"])
    assert question["required"] is True
    assert question["type"] == "select"
    assert question["options"] == ["low", "medium", "high", "critical"]
    assert question_for(BY_NAME["technical_debt_score"])["required"] is False


def test_an_option_that_looks_like_a_placeholder_is_still_an_answer():
    compliance = BY_NAME["compliance_requirements"]
    assert normalize_answer(compliance, "None") == ("none", None)
    assert classify_value(compliance, "none") is None
    assert classify_value(BY_NAME["business_owner"], "none") is GapType.INVALID
