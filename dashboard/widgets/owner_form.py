"""An owner's open questions as one form: asset, question, help, the suggestion and its reason,
an input fitting the type, one Save. Whatever the owner types goes to core as it is; core checks
it as the Questionnaires page's answers are checked."""

from datetime import date
from typing import Any

import streamlit as st

from core.requests.link_answers import OwnerQuestion
from dashboard import shown_text

MAX_ANSWER_CHARS = 2000


def _suggested(question: dict[str, Any]) -> str | None:
    value = question.get("default")
    if value in (None, ""):
        return None
    confidence = question.get("confidence")
    sure = f" ({confidence:.0%} confident)" if confidence is not None else ""
    why = f": {question['evidence']}" if question.get("evidence") else ""
    return f"Suggested: {value}{sure}{why}"


def _input(question: dict[str, Any], key: str) -> Any:
    # The catalogue's words (as on the Questionnaires page), not people's text.
    label = question["label"] + (" *" if question.get("required") else "")
    help_text = question.get("help") or None
    if question["type"] == "select":
        options = list(question.get("options") or [])
        return st.selectbox(
            label, options, index=None, key=key, help=help_text, placeholder="Choose…"
        )
    if question["type"] == "number":
        # No bounds on the widget (it would clamp silently): the range is checked on Save.
        step = 1 if question.get("integer") else 1.0
        return st.number_input(label, value=None, step=step, key=key, help=help_text)
    if question["field_name"].endswith("_date"):
        picked = st.date_input(
            label,
            value=None,
            min_value=date(1980, 1, 1),
            max_value=date(2100, 12, 31),
            key=key,
            help=help_text,
            format="YYYY-MM-DD",
        )
        return picked.isoformat() if isinstance(picked, date) else None
    return st.text_input(label, max_chars=MAX_ANSWER_CHARS, key=key, help=help_text)


def show(questions: list[OwnerQuestion], problems: dict[str, str]) -> dict[str, Any] | None:
    """The answers given when Save was pressed (question id -> value), else None."""
    with st.form("owner_answers"):
        values: dict[str, Any] = {}
        shown_asset = None
        for question in questions:
            asked = question.question
            if question.asset_name != shown_asset:  # questions come asset by asset
                st.subheader(shown_text.plain(question.asset_name), divider="gray")
                shown_asset = question.asset_name
            values[asked["id"]] = _input(asked, key=f"owner_{asked['id']}")
            suggestion = _suggested(asked)
            if suggestion:
                st.caption(shown_text.plain(suggestion))
            if asked["id"] in problems:
                st.warning(f"Not saved: {shown_text.plain(problems[asked['id']])}")
        submitted = st.form_submit_button("Save", type="primary")
    if not submitted:
        return None
    return {key: value for key, value in values.items() if value not in (None, "")}
