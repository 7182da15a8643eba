"""All open questions of a flow in one editable grid: paste a block from a spreadsheet, fill
down (Ctrl+D), accept every suggestion at or above a confidence, one Save for everything.

What people type is kept in a draft in the session (by question id), so it survives reruns,
filters and Accept; the editor shows the draft over the saved answers, and a new editor (its
key bumped) starts whenever code changed the draft or the rows shown. Each changed cell is
checked as it is typed, with the catalogue's parser, and the reason shows on its row.
"""

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from core.catalogue.schema import priority_label
from core.questionnaires.answer_checks import check_answer
from core.questionnaires.many_answers import SavedAnswers, save_many_answers
from core.questionnaires.open_questions import OpenQuestion
from core.questionnaires.owners import UNASSIGNED
from dashboard import shown_text, state
from dashboard.widgets import answer_grid_report

ANSWER, CHECK = "Answer", "Check"
SHOWN_COLUMNS = (
    "Asset", "Question", "Priority", "Owner", "Suggested", "Confidence", "Why", ANSWER, CHECK,
    "Choices",
)  # fmt: skip


@dataclass
class Draft:
    """What the person typed or accepted and has not saved yet, for one flow."""

    answers: dict[str, str] = field(default_factory=dict)  # question id -> text as typed
    accepted: set[str] = field(default_factory=set)  # answered by accepting the suggestion
    rows: list[str] = field(default_factory=list)  # question ids in the editor, in order
    generation: int = 0  # a new editor (key) whenever code, not typing, changed the draft


def draft_of(flow_id: str) -> Draft:
    key = f"answer_grid_draft_{flow_id}"
    if key not in st.session_state:
        st.session_state[key] = Draft()
    draft: Draft = st.session_state[key]
    return draft


def editor_key(flow_id: str, draft: Draft) -> str:
    return f"answer_grid_{flow_id}_{draft.generation}"


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fold_edits(flow_id: str, draft: Draft, saved: dict[str, OpenQuestion]) -> None:
    """Take what was typed in the editor since the last run into the draft."""
    edited = st.session_state.get(editor_key(flow_id, draft), {}).get("edited_rows", {})
    for position, change in edited.items():
        if ANSWER not in change or int(position) >= len(draft.rows):
            continue
        question_id = draft.rows[int(position)]
        typed = text_of(change[ANSWER]).strip()
        question = saved.get(question_id)
        if question is not None and typed == text_of(question.answer):
            draft.answers.pop(question_id, None)
        else:
            draft.answers[question_id] = typed
        if question is None or typed != text_of(question.suggestion):
            draft.accepted.discard(question_id)


def check(question: OpenQuestion, draft: Draft) -> str:
    """What the Check column says of a row: in words, not by colour."""
    if question.question_id not in draft.answers:
        return "Saved" if question.answer not in (None, "") else ""
    typed = draft.answers[question.question_id]
    if not typed:
        return "Blank: not saved"
    value, problem = check_answer(question.field_name, typed)
    if problem is not None:
        return f"Refused: {problem}"
    shown = text_of(value)
    return "OK, to save" if shown == typed else f"OK, to save as {shown}"


def frame(questions: list[OpenQuestion], draft: Draft) -> pd.DataFrame:
    rows = []
    for question in questions:
        answer = draft.answers.get(question.question_id, text_of(question.answer))
        rows.append(
            (
                question.asset_name,
                question.label,
                priority_label(question.priority),
                question.owner or UNASSIGNED,
                question.suggestion or "",
                "" if question.confidence is None else f"{round(question.confidence * 100)} %",
                question.evidence,
                answer,
                check(question, draft),
                " / ".join(question.options),
            )
        )
    return pd.DataFrame(rows, columns=list(SHOWN_COLUMNS))


def accept_at_or_above(draft: Draft, questions: list[OpenQuestion], percent: int) -> int:
    """Put every shown suggestion of at least `percent` confidence in as the answer."""
    taken = 0
    for question in questions:
        confidence = question.confidence
        if question.suggestion is None or confidence is None:
            continue
        typed = draft.answers.get(question.question_id, "")
        if round(confidence * 100) >= percent and question.answer in (None, "") and not typed:
            draft.answers[question.question_id] = question.suggestion
            draft.accepted.add(question.question_id)
            taken += 1
    draft.generation += 1
    return taken


def save(flow_id: str, draft: Draft) -> SavedAnswers | None:
    """Save every answer typed, shown under the filters or not; refused ones stay to fix."""
    to_save = {key: value for key, value in draft.answers.items() if value}
    accepted = draft.accepted & set(to_save)
    outcome = state.call_or_none(
        save_many_answers, flow_id, to_save, sorted(accepted), doing="save answers"
    )
    if outcome is None:
        return None
    kept = {item.question_id for item in outcome.refused if item.label}  # still open
    for question_id in to_save:
        if question_id not in kept:
            draft.answers.pop(question_id, None)
            draft.accepted.discard(question_id)
    draft.generation += 1
    return outcome


def show(flow_id: str, questions: list[OpenQuestion], editable: bool) -> None:
    """The grid of `questions`, with Accept and Save when the person may answer."""
    draft = draft_of(flow_id)
    saved = {question.question_id: question for question in questions}
    fold_edits(flow_id, draft, saved)
    shown_ids = [question.question_id for question in questions]
    if shown_ids != draft.rows:
        draft.rows = shown_ids
        draft.generation += 1
    if editable:
        accept_row(flow_id, draft, questions)
    table = frame(questions, draft)
    st.data_editor(
        table,
        key=editor_key(flow_id, draft),
        hide_index=True,
        num_rows="fixed",
        disabled=[name for name in SHOWN_COLUMNS if name != ANSWER] if editable else True,
        height=min(38 + 35 * max(len(table), 1), 600),
        column_config={
            "Confidence": st.column_config.TextColumn(width="small", alignment="right"),
            ANSWER: st.column_config.TextColumn(
                width="medium",
                help="Type, paste a block from a spreadsheet, or select cells down a column"
                " and press Ctrl+D to fill down. Checked as you type; saved with Save.",
                max_chars=2000,
            ),
            CHECK: st.column_config.TextColumn(help="Whether the answer can be saved, and why"),
            "Why": st.column_config.TextColumn(width="medium"),
        },
    )
    pending = [answer for answer in draft.answers.values() if answer]
    hidden = len(set(draft.answers) - set(shown_ids))
    answered = sum(1 for question in questions if question.answer not in (None, ""))
    st.caption(
        f"{answered} of {len(questions)} shown answered (saved) · {len(pending)} answer(s) not"
        f" saved yet{f', {hidden} of them under other filters' if hidden else ''}"
    )
    if editable and st.button(
        f"Save {len(pending)} answer(s)", type="primary", key=f"grid_save_{flow_id}",
        disabled=not pending,
    ):  # fmt: skip
        outcome = save(flow_id, draft)
        if outcome is not None:
            answer_grid_report.keep(outcome)
            st.rerun()
    answer_grid_report.show()


def accept_row(flow_id: str, draft: Draft, questions: list[OpenQuestion]) -> None:
    offered = [q for q in questions if q.suggestion is not None and q.answer in (None, "")]
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    percent = left.number_input(
        "Confidence at least (%)", min_value=10, max_value=100, value=80, step=5,
        key=f"grid_accept_percent_{flow_id}",
    )  # fmt: skip
    sure = [q for q in offered if q.confidence is not None and round(q.confidence * 100) >= percent]
    label = f"Accept {len(sure)} suggestion(s) at or above {percent} %"
    if right.button(label, key=f"grid_accept_{flow_id}", disabled=not sure):
        taken = accept_at_or_above(draft, questions, int(percent))
        st.toast(shown_text.plain(f"Accepted {taken} suggestion(s); Save to keep them."))
