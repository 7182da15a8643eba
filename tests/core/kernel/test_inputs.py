"""Lists of a whole estate's ids: checked at once when they are UUID text, item by item else."""

import uuid

import pytest

from core.kernel.errors import BadRequest
from core.kernel.inputs import parse_uuid_texts

IDS = [str(uuid.uuid4()) for _ in range(5)]


def test_uuid_text_comes_back_canonical_and_in_order():
    given = [IDS[0].upper(), *IDS[1:], "{" + IDS[0] + "}", IDS[1].replace("-", "")]
    assert parse_uuid_texts(given, "ids") == [*IDS, IDS[0], IDS[1]]
    assert parse_uuid_texts([], "ids") == []


@pytest.mark.parametrize(
    "bad",
    [
        "123",
        IDS[0][:-1] + "g",
        IDS[0][:-1] + " ",
        IDS[0].replace("-", ",", 1),
        IDS[0][:8] + " " + IDS[0][9:],
        7,
        None,
    ],
    ids=[
        "too short",
        "a letter past f",
        "a trailing space",
        "a comma for a dash",
        "a space for a dash",
        "a number",
        "none",
    ],
)
def test_a_bad_item_is_a_400_naming_its_place(bad):
    with pytest.raises(BadRequest) as raised:
        parse_uuid_texts([*IDS[:3], bad, IDS[4]], "selected_asset_ids")
    assert raised.value.field == "selected_asset_ids[3]"


def test_too_many_items_or_not_a_list_is_a_400_naming_the_list():
    with pytest.raises(BadRequest, match="holds 5 items; at most 4") as raised:
        parse_uuid_texts(IDS, "selected_asset_ids", max_items=4)
    assert raised.value.field == "selected_asset_ids"
    with pytest.raises(BadRequest, match="must be a list"):
        parse_uuid_texts(",".join(IDS), "selected_asset_ids")
