"""The next thing a person can do for a flow, by the phase it stands in."""

from typing import Any

import streamlit as st

from core.catalogue.labels import phase_label, run_words
from core.enhancement.phase_run_health import start_phase
from core.flows.reads import CollectionFlow
from core.kernel.phases import CollectionPhase as P
from core.questionnaires.open_questions import Unanswered, count_unanswered
from dashboard import state
from dashboard.widgets import asset_picker, validation_report


def run_phase_shown(
    flow_id: str, phase: str, phase_input: dict | None = None, then: str | None = None
) -> dict[str, Any]:
    with st.spinner(f"Running {run_words(phase)}…"):
        outcome = state.call(
            start_phase, flow_id, phase, phase_input, then=then, doing="run phases"
        )
    if outcome.get("mode") == "queued":
        st.toast(f"{run_words(phase).capitalize()} queued; a worker is on it.")
    return outcome


def _select_assets(flow_id: str) -> None:
    st.subheader("Select the assets to collect data for")
    selected = asset_picker.show(flow_id, key="flow_assets")
    label = f"Start gap analysis on {len(selected)} asset(s)"
    if st.button(label, type="primary", disabled=not selected, key="start_gap_analysis"):
        chosen = {"selected_asset_ids": sorted(selected)}
        run_phase_shown(flow_id, P.ASSET_SELECTION, chosen, then=P.GAP_ANALYSIS)
        selected.clear()
        st.rerun()


def _button(flow_id: str, label: str, phase: str) -> None:
    if st.button(label, type="primary", key=f"run_{phase}"):
        run_phase_shown(flow_id, phase)
        st.rerun()


def show(flow: CollectionFlow, may_run: bool, busy: bool = False) -> None:
    """The next step; none while a phase run of the flow is queued or running (`busy`)."""
    flow_id = str(flow.flow_id)
    phase = flow.current_phase
    report = flow.phase_state.get("validation_report")
    if flow.status == "failed":
        errors = flow.master_flow.error_history
        last = errors[-1]["error"] if errors else "no error was recorded"
        st.error(f"This flow failed in {phase_label(phase).lower()}.")
        st.text(f"Last error: {last}")
        st.caption("An admin can resume it from the Admin page.")
        return
    scan_findings(flow.phase_state.get(P.GAP_ANALYSIS) or {})
    if busy:
        return
    if phase == P.ASSESSMENT:
        st.success("Collection is complete: the assets are ready for assessment.")
    elif not may_run:
        st.info(
            f"The flow waits in {phase_label(phase).lower()}. Your role can read it but not"
            " move it on."
        )
    elif phase == P.ASSET_SELECTION:
        _select_assets(flow_id)
    elif phase == P.GAP_ANALYSIS:
        st.write("Scan the selected assets for missing and invalid critical attributes.")
        _button(flow_id, "Run gap analysis", P.GAP_ANALYSIS)
    elif phase == P.QUESTIONNAIRE_GENERATION:
        st.write("Turn the pending gaps into one questionnaire per asset.")
        _button(flow_id, "Generate questionnaires", P.QUESTIONNAIRE_GENERATION)
    elif phase == P.MANUAL_COLLECTION:
        st.write("Owners answer the questionnaires; submit when the answers are in.")
        st.page_link(
            "views/questionnaires.py", label="Answer questionnaires", query_params={"flow": flow_id}
        )
        submit_for_validation(flow_id)
    elif phase == P.DATA_VALIDATION:
        st.write("Check the answers and write the valid ones back to the assets.")
        _button(flow_id, "Validate answers", P.DATA_VALIDATION)
    if report:
        validation_report.show(report, flow_id)


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def scan_findings(scan: dict[str, Any]) -> None:
    """What the last gap scan found, said before the step that follows it."""
    if "gaps_persisted" not in scan:
        return
    found = counted(scan["gaps_persisted"], "gap")
    critical = f", {scan['critical_gaps']} critical" if "critical_gaps" in scan else ""
    assets = counted(scan.get("assets_scanned", 0), "asset")
    st.info(f"The gap scan of {assets} found {found}{critical}.", icon=":material/search:")


def _submit(flow_id: str) -> None:
    run_phase_shown(flow_id, P.MANUAL_COLLECTION, {"submit_for_validation": True})
    run_phase_shown(flow_id, P.DATA_VALIDATION)
    st.rerun()


def submit_for_validation(flow_id: str) -> None:
    """Submit; with questions still unanswered, say how many first and ask again."""
    asking = f"confirm_submit_{flow_id}"
    if st.button("Submit for validation", type="primary", key="submit_for_validation"):
        counted_now = state.call(count_unanswered, flow_id, doing="count the open questions")
        if not counted_now.questions:
            _submit(flow_id)
        st.session_state[asking] = counted_now
    left: Unanswered | None = st.session_state.get(asking)
    if left is None:
        return
    critical = (
        f", {counted(left.critical, 'critical one')}: the flow comes back to manual collection"
        " until those are answered"
        if left.critical
        else ""
    )
    st.warning(f"{counted(left.questions, 'question')} still open{critical}. Submit anyway?")
    go, stay = st.columns(2)
    if go.button(f"Submit with {left.questions} open", key="submit_with_open_questions"):
        st.session_state.pop(asking, None)
        _submit(flow_id)
    if stay.button("Keep answering", key="keep_answering"):
        st.session_state.pop(asking, None)
        st.rerun()
