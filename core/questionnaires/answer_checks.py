"""One check of an answer, wherever it is typed: the form, the grid, a spreadsheet, a link.

An answer is read with the catalogue's one parser for its kind of value (numbers with their
unit, options by name or short form, text trimmed), so "prod" is production and "16384 MB" of
memory is 16 GB here as in an import; what cannot be read says why, in a line.
"""

from typing import Any

from core.catalogue.attributes import get_attribute
from core.catalogue.values import normalize_answer
from core.kernel.errors import BadRequest
from core.kernel.text import clean_text
from core.questionnaires.generation import MAX_ANSWER_LENGTH


def check_answer(field_name: str, value: Any) -> tuple[Any, str | None]:
    """(the answer as stored, None) when it is acceptable, else (None, why not)."""
    attribute = get_attribute(field_name)
    if attribute is None:
        return None, "this question is no longer asked"
    if isinstance(value, bool) or not (value is None or isinstance(value, str | int | float)):
        return None, "must be text or a number"
    if isinstance(value, str):
        if len(value) > MAX_ANSWER_LENGTH:
            return None, f"too long: {len(value)} characters, at most {MAX_ANSWER_LENGTH}"
        try:
            value = clean_text(value, "answer", label="the answer")
        except BadRequest as error:
            return None, error.message
    return normalize_answer(attribute, value)


def reason(label: str, problem: str) -> str:
    """How a refused answer reads: the question, then why."""
    return f"{label}: {problem}"
