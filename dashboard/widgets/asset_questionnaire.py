"""One asset's questionnaire on the Questionnaires page: pick the asset, answer, save, accept."""

from typing import Any

import streamlit as st

from core.flows.reads import Questionnaire
from core.questionnaires.answers import save_answers
from core.questionnaires.suggestions import accept_prediction
from dashboard import shown_text, state
from dashboard.widgets import question_form

SAVED = "questionnaire_saved_message"
PICK = "questionnaire_pick"


def show(
    flow_id: str,
    questionnaires: list[Questionnaire],
    answers: dict[str, dict[str, Any]],
    may_answer: bool,
) -> None:
    def answered(item: Questionnaire) -> int:
        given = answers.get(str(item.id), {})
        return sum(1 for question in item.questions if question["id"] in given)

    labels = {
        str(item.id): f"{item.title} · {answered(item)}/{len(item.questions)} answered"
        for item in questionnaires
    }
    # An address may name the asset (?asset=, from the validation report); it follows the choice.
    of_asset = {str(item.asset_id): str(item.id) for item in questionnaires}
    asset_of = {questionnaire_id: asset_id for asset_id, questionnaire_id in of_asset.items()}
    if st.query_params.get("asset") in of_asset:
        st.session_state[PICK] = of_asset[st.query_params["asset"]]

    def follow_the_choice() -> None:
        st.query_params["asset"] = asset_of[st.session_state[PICK]]

    chosen = st.selectbox(
        "Asset", list(labels), format_func=labels.__getitem__, key=PICK, on_change=follow_the_choice
    )
    questionnaire = next(item for item in questionnaires if str(item.id) == chosen)
    st.query_params["asset"] = str(questionnaire.asset_id)
    if SAVED in st.session_state:  # said after the rerun that brought the counts up to date
        st.success(st.session_state.pop(SAVED))
    submitted = question_form.show(questionnaire, answers.get(chosen, {}), editable=may_answer)
    if submitted is None:
        return
    for problem in submitted.problems:
        st.error(f"Not saved: {shown_text.plain(problem)}")
    done = None
    if submitted.accepted is not None:
        value = state.call(
            accept_prediction, flow_id, chosen, submitted.accepted, doing="accept a suggestion"
        )
        # The field shows the accepted value on the rerun, not only after a reload.
        question_form.show_next_time(questionnaire, submitted.accepted, value)
        done = f"Accepted the suggestion {shown_text.plain(value)}."
    elif submitted.to_save:
        saved = state.call(
            save_answers, flow_id, chosen, submitted.to_save, doing="answer questionnaires"
        )
        done = f"Saved {saved} answer(s)."
    elif not submitted.problems:
        st.info("Nothing to save yet: answer at least one question.")
    if done is not None and not submitted.problems:
        st.session_state[SAVED] = done
        st.rerun()
    elif done is not None:
        st.success(done)
