"""Input models refuse bad input with one BadRequest in people's words, naming the field."""

import uuid

import pytest
from pydantic import Field, ValidationError

from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.errors import BadRequest


class Selection(InputModel):
    asset_id: uuid.UUID
    field_name: str


class Filters(InputModel):
    name_contains: CleanText = Field("", max_length=200, title="Asset name contains")
    priorities: list[int] = Field(default_factory=list, title="Priorities")
    limit: int = Field(50, ge=1, le=500, title="Page size")
    selected_gaps: list[Selection] = Field(default_factory=list, max_length=3)


def refused(data) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        parse_input(Filters, data)
    return caught.value


def test_a_long_filter_is_named_in_peoples_words():
    error = refused({"name_contains": "x" * 201})
    assert error.message == "Asset name contains is longer than 200 characters"
    assert error.field == "name_contains"


def test_a_nested_error_names_its_path():
    error = refused(
        {
            "selected_gaps": [{"asset_id": str(uuid.uuid4()), "field_name": "os"}] * 3
            + [{"asset_id": "123", "field_name": "os"}]
        }
    )
    assert error.message == "Selected gaps holds more than 3 items"
    error = refused({"selected_gaps": [{"asset_id": "123", "field_name": "os"}]})
    assert error.field == "selected_gaps.0.asset_id"
    assert error.message == "Selected gaps (item 1): asset id must be a UUID"


def test_bounds_and_unknown_fields():
    assert refused({"limit": 0}).message == "Page size must be at least 1"
    assert refused({"limit": "many"}).message == "Page size must be a whole number"
    assert refused({"colour": "red"}).message == "Colour is not a field of this input"


def test_people_text_is_cleaned_and_controls_refused():
    assert parse_input(Filters, {"name_contains": " web\u202e01 "}).name_contains == "web01"
    error = refused({"name_contains": "web\x00"})
    assert error.message == (
        "Asset name contains holds an invisible control character (U+0000); remove it"
    )


def test_a_parsed_model_is_frozen_and_passes_through():
    filters = parse_input(Filters, {"priorities": [1, 2]})
    assert parse_input(Filters, filters) is filters
    with pytest.raises(ValidationError):
        filters.limit = 3  # type: ignore[misc]
