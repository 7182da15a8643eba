"""Whether a value is usable for a critical attribute, and its normalized form.

The gap scan (classify_value), answer validation and the agents' peer statistics
(normalize_answer) read values here, with the parsers the importer uses: `numbers` and
`text_values`. "2,5" is 2.5 and "16384 MB" of memory is 16 GB wherever it is read.
"""

from functools import cache
from typing import Any

from core.catalogue.numbers import parse_number
from core.catalogue.schema import CriticalAttribute, GapType
from core.catalogue.text_values import PLACEHOLDERS, ValueProblem, clean_value, is_placeholder

# Short forms inventories write for an option ("prod"), used where that option exists.
OPTION_ALIASES = {
    "prod": "production", "prd": "production", "live": "production", "dev": "development",
    "stage": "staging", "stg": "staging", "uat": "test", "qa": "test", "tst": "test",
}  # fmt: skip


def classify_value(attribute: CriticalAttribute, value: Any) -> GapType | None:
    """None when the value is usable, else why it is a gap."""
    if value is None:
        return GapType.MISSING
    if _plainly_valid(attribute, value):
        return None
    if isinstance(value, str) and not value.strip():
        return GapType.MISSING
    normalized, _problem = normalize_answer(attribute, value)
    return GapType.INVALID if normalized is None else None


def _plainly_valid(attribute: CriticalAttribute, value: Any) -> bool:
    """The common case of a scan, decided without building a normalized value."""
    kind = attribute.question_type
    if kind == "number":
        if type(value) is int or type(value) is float:
            low, high = attribute.minimum, attribute.maximum
            return (
                (low is None or value >= low)
                and (high is None or value <= high)
                and (not attribute.integer or value == int(value))
            )
        return False
    if type(value) is not str:
        return False
    if kind == "select":
        return value in _option_set(attribute)
    return (
        0 < len(value) <= attribute.max_length
        and value.lower() not in PLACEHOLDERS
        and value == value.strip()
    )


@cache
def _option_set(attribute: CriticalAttribute) -> frozenset[str]:
    return frozenset(attribute.options)


@cache
def _lower_options(attribute: CriticalAttribute) -> dict[str, str]:
    return {option.lower(): option for option in attribute.options}


def normalize_answer(attribute: CriticalAttribute, value: Any) -> tuple[Any, str | None]:
    """(the value to store, None) when acceptable, else (None, what is wrong)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, "no value given"
    if isinstance(value, str) and value.strip().lower() in _lower_options(attribute):
        # An option that looks like a placeholder ("none" compliance) is still an answer.
        return _lower_options(attribute)[value.strip().lower()], None
    if isinstance(value, str) and is_placeholder(value):
        return None, f"{value.strip()!r} is a placeholder, not a value"
    try:
        if attribute.question_type == "number":
            return _normalize_number(attribute, value), None
        return _normalize_text(attribute, value), None
    except ValueProblem as problem:
        return None, str(problem)


def _normalize_number(attribute: CriticalAttribute, value: Any) -> float | int:
    if isinstance(value, bool):
        raise ValueProblem("expected a number")
    number = parse_number(value, attribute.unit)
    if number is None:
        raise ValueProblem("no value given")
    if attribute.integer and number != int(number):
        raise ValueProblem(f"{value!r} must be a whole number")
    if attribute.minimum is not None and number < attribute.minimum:
        raise ValueProblem(f"{number:g} is below the minimum {attribute.minimum:g}")
    if attribute.maximum is not None and number > attribute.maximum:
        raise ValueProblem(f"{number:g} is above the maximum {attribute.maximum:g}")
    return int(number) if attribute.integer else number


def _normalize_text(attribute: CriticalAttribute, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueProblem("expected text")
    text = clean_value(value)
    if text is None:
        raise ValueProblem("no value given")
    if attribute.question_type == "select":
        alias = OPTION_ALIASES.get(text.lower())
        if alias is not None and alias in _lower_options(attribute):
            return _lower_options(attribute)[alias]
        for option in attribute.options:
            # Inventories write "Microsoft Windows Server 2019" for the option "Windows".
            if text.lower() == option.lower() or option.lower() in text.lower().split():
                return option
        raise ValueProblem(f"{text!r} is not one of {', '.join(attribute.options)}")
    if len(text) > attribute.max_length:
        raise ValueProblem(f"longer than {attribute.max_length} characters")
    return text
