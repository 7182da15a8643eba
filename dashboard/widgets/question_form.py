"""One asset's questionnaire as a form of typed inputs, with predictions offered, not assumed.

A predicted value is filled in only from the confidence the admin set; below it the question
says what is suggested and why, with an "Accept" button. Dates get a date picker; a number
out of range is not saved and says why.
"""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import streamlit as st

from core.flows.reads import Questionnaire
from core.questionnaires.answer_checks import check_answer
from core.questionnaires.generation import MAX_ANSWER_LENGTH
from core.questionnaires.suggestions import offered, prefills
from dashboard import shown_text

_NEXT_VALUES = "question_form_next_values"  # widget key -> value to show on the next run


@dataclass
class FormResult:
    to_save: dict[str, Any] = field(default_factory=dict)
    accepted: str | None = None  # the question whose suggestion was accepted
    problems: list[str] = field(default_factory=list)  # answers not saved, and why


def _number(value: Any, integer: bool) -> int | float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if integer else number


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _key(questionnaire: Questionnaire, question_id: str) -> str:
    return f"q_{questionnaire.id}_{question_id}"


def _widget_value(question: dict[str, Any], value: Any) -> Any:
    """`value` as the question's input holds it (a number, a date, an option, text)."""
    if question["type"] == "number":
        return _number(value, bool(question.get("integer")))
    if question["type"] == "text" and question["field_name"].endswith("_date"):
        return _date(value)
    return None if value is None else str(value)


def show_next_time(questionnaire: Questionnaire, question_id: str, value: Any) -> None:
    """Have the question's input show `value` on the next run (a widget's value cannot change
    once it is drawn in this one)."""
    question = next(q for q in questionnaire.questions if q["id"] == question_id)
    kept = st.session_state.setdefault(_NEXT_VALUES, {})
    kept[_key(questionnaire, question_id)] = _widget_value(question, value)


def _apply_next_values() -> None:
    for key, value in st.session_state.pop(_NEXT_VALUES, {}).items():
        st.session_state[key] = value


def _help(question: dict[str, Any]) -> str:
    help_text = question.get("help") or ""
    default, confidence = question.get("default"), question.get("confidence")
    if offered(default, confidence):
        shown = f" ({confidence:.0%} confidence)" if confidence is not None else ""
        help_text += f"  \nSuggested: {shown_text.plain(default)}{shown}"
        if question.get("evidence"):
            help_text += f"  \nWhy: {shown_text.plain(question['evidence'])}"
    return help_text


def _input(question: dict[str, Any], given: Any, key: str) -> Any:
    label = question["label"] + (" *" if question.get("required") else "")
    help_text = _help(question)
    start = given if given not in (None, "") else None
    if start is None and prefills(question):
        start = question.get("default")
    if question["type"] == "select":
        options = list(question.get("options") or [])
        index = options.index(start) if start in options else None
        return st.selectbox(
            label, options, index=index, key=key, help=help_text, placeholder="Choose…"
        )
    if question["type"] == "number":
        integer = bool(question.get("integer"))
        # No bounds on the widget: it would clamp silently; the range is checked on Save.
        return st.number_input(
            label,
            value=_number(start, integer),
            step=1 if integer else 1.0,
            key=key,
            help=help_text,
        )
    if question["field_name"].endswith("_date"):
        picked = st.date_input(
            label,
            value=_date(start),
            # Streamlit's default range is ten years either side of today: too short for
            # support dates.
            min_value=date(1980, 1, 1),
            max_value=date(2100, 12, 31),
            key=key,
            help=help_text,
            format="YYYY-MM-DD",
        )
        return picked.isoformat() if isinstance(picked, date) else None
    return st.text_input(
        label,
        # A predicted default may be longer than an answer can be: Streamlit refuses those.
        value=("" if start is None else str(start))[:MAX_ANSWER_LENGTH],
        max_chars=MAX_ANSWER_LENGTH,
        key=key,
        help=help_text,
    )


def _suggestion(question: dict[str, Any], given: Any, key: str) -> bool:
    """An "Accept" button for a suggestion not already the answer; whether it was pressed."""
    default = question.get("default")
    if not offered(default, question.get("confidence")) or str(given) == str(default):
        return False
    confidence = question.get("confidence")
    why = f" · {question['evidence']}" if question.get("evidence") else ""
    sure = f" ({confidence:.0%})" if confidence is not None else ""
    st.caption(shown_text.plain(f"Suggested: {default}{sure}{why}"))
    return st.form_submit_button(f"Accept {shown_text.plain(default)}", key=key)


def _problem(question: dict[str, Any], value: Any) -> str | None:
    """The same check as the answer grid's and a spreadsheet's (core.questionnaires)."""
    _, problem = check_answer(question["field_name"], value)
    return None if problem is None else f"{question['label']}: {problem}"


def show(
    questionnaire: Questionnaire, answers: dict[str, dict], editable: bool
) -> FormResult | None:
    """What the form's submission asks for (answers to save or a suggestion accepted), else None."""
    result = FormResult()
    _apply_next_values()
    with st.form(f"questionnaire_{questionnaire.id}"):
        values = {}
        for question in questionnaire.questions:
            given = answers.get(question["id"], {})
            key = _key(questionnaire, question["id"])
            values[question["id"]] = _input(question, given.get("answer"), key=key)
            if editable and _suggestion(question, given.get("answer"), key=f"accept_{key}"):
                result.accepted = question["id"]
            if given.get("validation_status") == "invalid":
                st.warning(
                    f"Fix this answer: {shown_text.plain(given.get('validation_message') or '')}"
                )
        # Escaped: a caption renders markdown, where a leading "* " is a bullet.
        st.caption(shown_text.plain("* required (critical attributes)"))
        submitted = st.form_submit_button("Save answers", type="primary", disabled=not editable)
    if result.accepted is not None:
        return result
    if not submitted:
        return None
    for question in questionnaire.questions:
        value = values[question["id"]]
        if value in (None, ""):
            continue
        problem = _problem(question, value)
        if problem is None:
            result.to_save[question["id"]] = value
        else:
            result.problems.append(problem)
    return result
