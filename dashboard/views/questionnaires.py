"""Questionnaires: every open question in one grid, or one asset's form; submit for validation."""

import streamlit as st

from core.catalogue.labels import phase_label
from core.flows.reads import list_questionnaires
from core.kernel.permissions import Action, can
from core.kernel.phases import CollectionPhase
from core.questionnaires.answers import list_answers
from core.questionnaires.open_questions import list_open_questions
from dashboard import shown_text, state
from dashboard.widgets import (
    answer_grid,
    answer_grid_filters,
    answer_sheet,
    asset_questionnaire,
    flow_picker,
    owner_requests,
    phase_actions,
    validation_report,
)

GRID, ONE_ASSET = "All open questions", "One asset at a time"
ctx = state.require_context()
flow = flow_picker.show(key="questionnaires_page_picker")
if flow is None:
    st.stop()
flow_id = str(flow.flow_id)
questionnaires = state.call(list_questionnaires, flow_id, doing="read questionnaires")
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

if "asset" in st.query_params and "questionnaire_view" not in st.session_state:
    st.session_state["questionnaire_view"] = ONE_ASSET  # a link to one asset's questions
view = st.radio("Answer", [GRID, ONE_ASSET], horizontal=True, key="questionnaire_view")
if view == GRID:
    st.query_params.pop("asset", None)
    filters = answer_grid_filters.show(flow_id)
    listed = state.call(list_open_questions, flow_id, **filters, doing="read open questions")
    if listed.matching > len(listed.rows):
        st.info(
            f"Showing the first {len(listed.rows):,} of {listed.matching:,} open questions:"
            " narrow the filters to see the rest."
        )
    if not listed.rows:
        st.info("No open question matches these filters.")
    else:
        answer_grid.show(flow_id, listed.rows, editable=may_answer)
    answer_sheet.show(ctx, flow_id, filters, may_answer)
else:
    answers = state.call(list_answers, flow_id, doing="read answers")
    asset_questionnaire.show(flow_id, questionnaires, answers, may_answer)

if collecting and can(ctx, Action.RUN_PHASE):
    st.divider()
    st.write("When the answers are in, submit them: valid answers are written back to the assets.")
    phase_actions.submit_for_validation(flow_id)
report = flow.phase_state.get("validation_report")
if report:
    validation_report.show(report, flow_id)
owner_requests.show(ctx, flow_id, collecting)
