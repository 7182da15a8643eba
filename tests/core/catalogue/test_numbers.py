"""The one number parser: numbers as people write them, in the unit of their field."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.catalogue.attributes import BY_NAME
from core.catalogue.numbers import COUNT, GIGABYTES, MAX_MAGNITUDE, parse_number
from core.catalogue.text_values import ValueProblem


def unit_of(field):
    return BY_NAME[field].unit


@pytest.mark.parametrize(
    ("raw", "field", "factor", "expected"),
    [
        ("1,024", "storage_gb", 1.0, 1024.0),
        ("1,024.5", "storage_gb", 1.0, 1024.5),
        ("1.024,5", "storage_gb", 1.0, 1024.5),
        ("1.234,5", "storage_gb", 1.0, 1234.5),
        ("1,234.5", "storage_gb", 1.0, 1234.5),
        ("1.234.567", "storage_gb", 1.0, 1234567.0),
        ("2,5", "memory_gb", 1.0, 2.5),
        ("0,500", "memory_gb", 1.0, 0.5),
        ("-1,5", "storage_gb", 1.0, -1.5),
        ("1 024", "storage_gb", 1.0, 1024.0),
        ("1\u202f234,5", "storage_gb", 1.0, 1234.5),
        ("1'234.5", "storage_gb", 1.0, 1234.5),
        ("16 GB", "memory_gb", 1 / 1024, 16.0),
        ("16384 MB", "memory_gb", 1.0, 16.0),
        ("16384 MiB", "memory_gb", 1.0, 16.0),
        ("1 TB", "memory_gb", 1.0, 1024.0),
        ("2TB", "storage_gb", 1.0, 2048.0),
        ("16384", "memory_gb", 1 / 1024, 16.0),
        ("3000", "memory_gb", 1 / 1024, 2.9297),
        ("8 vCPU", "cpu_cores", 1.0, 8.0),
        (8, "cpu_cores", 1.0, 8.0),
        (2048.0, "memory_gb", 1 / 1024, 2.0),
        ("", "cpu_cores", 1.0, None),
        ("  ", "cpu_cores", 1.0, None),
        ("N/A", "cpu_cores", 1.0, None),
        ("TBD", "memory_gb", 1.0, None),
        (None, "cpu_cores", 1.0, None),
    ],
)
def test_numbers_parse_as_written(raw, field, factor, expected):
    assert parse_number(raw, unit_of(field), unit_factor=factor) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("lots", "'lots' is not a number"),
        ("12x", "'12x' has a unit that cannot be read as cores"),
        ("1.2.3", "read neither as 1,234.5 nor as 1.234,5"),
        ("1,234,5", "read neither"),
        ("1.234,567.8", "read neither"),
        ("12 34", "read neither"),
        ("12,34,567", "read neither"),
        ("8 GB", "'8 GB' has a unit that cannot be read as cores"),
        ("inf", "not a number"),
        ("-inf", "not a finite number"),
        ("1e999", "not a finite number"),
        (10**400, "out of range"),
        (True, "True is not a number"),
    ],
)
def test_what_is_not_one_number_is_refused_saying_why(raw, reason):
    with pytest.raises(ValueProblem, match=reason):
        parse_number(raw, unit_of("cpu_cores"))


def test_a_percent_is_not_read_as_gigabytes():
    with pytest.raises(ValueProblem, match="'45%' has a unit that cannot be read as GB"):
        parse_number("45%", GIGABYTES)
    with pytest.raises(ValueProblem, match="not a number"):
        parse_number("45%", COUNT)


amounts = st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False)


@given(amounts, st.sampled_from([",", " ", "\u00a0", "'"]))
def test_both_conventions_read_the_same_amount(amount, group):
    english = f"{amount:,.2f}".replace(",", group)
    european = f"{amount:,.2f}".replace(",", "#").replace(".", ",").replace("#", ".")
    if group != ",":
        european = european.replace(".", group)
    assert parse_number(english) == parse_number(european) == float(amount)


@given(
    st.floats(
        allow_nan=False, allow_infinity=False, min_value=-MAX_MAGNITUDE, max_value=MAX_MAGNITUDE
    )
)
def test_a_number_as_python_writes_it_reads_back(number):
    assert parse_number(repr(number)) == number
    assert parse_number(number) == number


@given(st.integers(min_value=1, max_value=10**9))
def test_units_convert_to_the_field_unit(megabytes):
    assert parse_number(f"{megabytes} MB", GIGABYTES) == round(megabytes / 1024, 4)
    assert parse_number(f"{megabytes}TB", GIGABYTES) == megabytes * 1024


@given(st.text(alphabet=st.sampled_from("0123456789.,' -+%GBMmbx\u202f"), max_size=12) | st.text())
def test_anything_is_a_finite_number_none_or_a_reason(raw):
    try:
        number = parse_number(raw, GIGABYTES)
    except ValueProblem as problem:
        assert str(problem)
    else:
        assert number is None or (math.isfinite(number) and abs(number) <= MAX_MAGNITUDE * 1024)
