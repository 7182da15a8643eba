"""Questionnaires: answer an asset's questions, save, submit for validation, read the report."""

import streamlit as st

from core.flows.reads import Questionnaire, list_questionnaires
from core.kernel.permissions import Action, can
from core.kernel.phases import CollectionPhase
from core.questionnaires.answers import list_answers, save_answers
from core.questionnaires.suggestions import accept_prediction
from dashboard import shown_text, state
from dashboard.widgets import (
    flow_picker,
    owner_requests,
    phase_actions,
    question_form,
    validation_report,
)
from dashboard.widgets.phase_timeline import phase_label

SAVED = "questionnaire_saved_message"
ctx = state.require_context()
flow = flow_picker.show(key="questionnaires_page_picker")
if flow is None:
    st.stop()
flow_id = str(flow.flow_id)
questionnaires = state.call(list_questionnaires, flow_id, doing="read questionnaires")
answers = state.call(list_answers, flow_id, doing="read answers")
st.title(f"Questionnaires · {shown_text.plain(flow.flow_name)}")
collecting = flow.current_phase == CollectionPhase.MANUAL_COLLECTION
may_answer = can(ctx, Action.ANSWER) and collecting

if not questionnaires:
    st.info(
        "No questionnaires yet. They are generated from the pending gaps: run gap analysis,"
        " then generate questionnaires on the Flow page."
    )
    st.page_link("views/flow.py", label="Open the flow", query_params={"flow": flow_id})
    st.stop()
if not collecting:
    phase = phase_label(flow.current_phase).lower()
    st.info(f"Answers are taken in manual collection; this flow is in {phase}.")


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
    st.session_state["questionnaire_pick"] = of_asset[st.query_params["asset"]]


def follow_the_choice() -> None:
    st.query_params["asset"] = asset_of[st.session_state["questionnaire_pick"]]


chosen = st.selectbox(
    "Asset",
    list(labels),
    format_func=labels.__getitem__,
    key="questionnaire_pick",
    on_change=follow_the_choice,
)
questionnaire = next(item for item in questionnaires if str(item.id) == chosen)
st.query_params["asset"] = str(questionnaire.asset_id)
if SAVED in st.session_state:  # said after the rerun that brought the counts up to date
    st.success(st.session_state.pop(SAVED))
submitted = question_form.show(questionnaire, answers.get(chosen, {}), editable=may_answer)
if submitted is not None:
    for problem in submitted.problems:
        st.error(f"Not saved: {shown_text.plain(problem)}")
    done = None
    if submitted.accepted is not None:
        value = state.call(
            accept_prediction, flow_id, chosen, submitted.accepted, doing="accept a suggestion"
        )
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

if collecting and can(ctx, Action.RUN_PHASE):
    st.divider()
    st.write("When the answers are in, submit them: valid answers are written back to the assets.")
    phase_actions.submit_for_validation(flow_id)
report = flow.phase_state.get("validation_report")
if report:
    validation_report.show(report, flow_id)
owner_requests.show(ctx, flow_id, collecting)
