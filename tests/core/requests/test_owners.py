"""Owners read from the asset's owner values: who is reachable, and for which questions."""

import pytest

from core.catalogue.schema import GapCategory
from core.kernel.errors import BadRequest
from core.requests.owners import Owner, owner_of, parse_email, question_owner


@pytest.mark.parametrize(
    ("value", "owner"),
    [
        ("lee@x.org", Owner("lee@x.org", None)),
        ("Lee Park <Lee@X.org>", Owner("lee@x.org", "Lee Park")),
        ("  dana@ops.example.com ", Owner("dana@ops.example.com", None)),
        ("Lee Park", None),
        ("TBD", None),
        ("", None),
        (None, None),
        ("a@x.org, b@y.org", None),
        ("lee@localhost", None),
        ("lee @x.org", None),
        ("Lee <lee@x.org> <b@y.org>", None),
        ("lee@x.org\nBcc: all@x.org", None),
        (42, None),
    ],
)
def test_an_owner_is_reachable_when_the_value_holds_one_address(value, owner):
    assert owner_of(value) == owner


def test_technical_questions_go_to_the_technical_owner_and_others_to_the_business_owner():
    tech, business = "Tech <t@x.org>", "b@x.org"
    assert question_owner(GapCategory.INFRASTRUCTURE, tech, business).email == "t@x.org"
    assert question_owner(GapCategory.TECHNICAL_DEBT, tech, business).email == "t@x.org"
    assert question_owner(GapCategory.BUSINESS, tech, business).email == "b@x.org"
    assert question_owner(GapCategory.APPLICATION, tech, business).email == "b@x.org"


def test_the_other_owner_stands_in_and_none_leaves_the_question_unassigned():
    assert question_owner(GapCategory.INFRASTRUCTURE, "Lee Park", "b@x.org").email == "b@x.org"
    assert question_owner(GapCategory.BUSINESS, "t@x.org", None).email == "t@x.org"
    assert question_owner(GapCategory.BUSINESS, "TBD", "unknown") is None


def test_an_assigned_address_must_be_one_address():
    assert parse_email("Lee Park <LEE@x.org>") == "lee@x.org"
    with pytest.raises(BadRequest):
        parse_email("lee")
