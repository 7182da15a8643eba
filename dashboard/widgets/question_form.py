"""One asset's questionnaire as a form of typed inputs, with predicted defaults."""

from typing import Any

import streamlit as st

from core.questionnaires.generation import MAX_ANSWER_LENGTH
from dashboard import state


def _number(value: Any, integer: bool) -> int | float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if integer else number


def _input(question: dict[str, Any], given: Any, key: str) -> Any:
    label = question["label"] + (" *" if question.get("required") else "")
    default = question.get("default")
    confidence = question.get("confidence")
    help_text = question.get("help") or ""
    if default not in (None, ""):
        shown = f" ({confidence:.0%} confidence)" if confidence is not None else ""
        help_text += f"  \nSuggested: {state.plain(default)}{shown}"
    start = given if given not in (None, "") else default
    if question["type"] == "select":
        options = list(question.get("options") or [])
        index = options.index(start) if start in options else None
        return st.selectbox(
            label, options, index=index, key=key, help=help_text, placeholder="Choose…"
        )
    if question["type"] == "number":
        integer = bool(question.get("integer"))
        cast = int if integer else float
        low, high = question.get("minimum"), question.get("maximum")
        low = cast(low) if low is not None else None
        high = cast(high) if high is not None else None
        value = _number(start, integer)
        if value is not None and (
            (low is not None and value < low) or (high is not None and value > high)
        ):
            value = None
        return st.number_input(
            label,
            min_value=low,
            max_value=high,
            value=value,
            step=cast(1),
            key=key,
            help=help_text,
        )
    return st.text_input(
        label,
        # A predicted default may be longer than an answer can be: Streamlit refuses those.
        value=("" if start is None else str(start))[:MAX_ANSWER_LENGTH],
        max_chars=MAX_ANSWER_LENGTH,
        key=key,
        help=help_text,
    )


def show(questionnaire, answers: dict[str, dict], editable: bool) -> dict[str, Any] | None:
    """The answers to save when the form was submitted, else None."""
    with st.form(f"questionnaire_{questionnaire.id}"):
        values = {}
        for question in questionnaire.questions:
            given = answers.get(question["id"], {})
            values[question["id"]] = _input(
                question, given.get("answer"), key=f"q_{questionnaire.id}_{question['id']}"
            )
            if given.get("validation_status") == "invalid":
                st.warning(f"Fix this answer: {state.plain(given.get('validation_message') or '')}")
        # Escaped: a caption renders markdown, where a leading "* " is a bullet.
        st.caption(state.plain("* required (critical attributes)"))
        submitted = st.form_submit_button("Save answers", type="primary", disabled=not editable)
    if not submitted:
        return None
    return {key: value for key, value in values.items() if value not in (None, "")}
