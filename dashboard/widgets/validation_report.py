"""The last data-validation report of a flow: what was resolved and what to fix."""

import pandas as pd
import streamlit as st

from core.catalogue.attributes import get_attribute
from core.catalogue.schema import priority_label
from dashboard import state


def _label(field_name: str) -> str:
    attribute = get_attribute(field_name)
    return attribute.label if attribute is not None else field_name


def show(report: dict, flow_id: str) -> None:
    st.subheader("Validation report")
    metrics = st.container(horizontal=True, gap="large")
    metrics.metric("Resolved", report.get("resolved", 0), width="content")
    metrics.metric("Invalid answers", report.get("invalid", 0), width="content")
    metrics.metric("Unanswered", report.get("unanswered", 0), width="content")
    metrics.metric("Critical gaps open", report.get("open_critical_gaps", 0), width="content")
    problems = report.get("problems") or []
    if not problems:
        st.success("Every answer passed validation.")
        return
    st.warning("Fix these answers on the Questionnaires page, then submit again.")
    st.dataframe(
        pd.DataFrame(
            {
                # Reports saved before assets were named carry only the asset's id.
                "Asset": [problem.get("asset_name") or problem["asset_id"] for problem in problems],
                "Field": [_label(problem["field_name"]) for problem in problems],
                "Priority": [priority_label(problem["priority"]) for problem in problems],
                "Answer": [str(problem.get("answer") or "") for problem in problems],
                "What to fix": [problem["message"] for problem in problems],
                "Answer it": [
                    state.page_url("questionnaires", flow_id, asset=problem["asset_id"])
                    for problem in problems
                ],
            }
        ),
        hide_index=True,
        key="validation_problems",
        column_config={"Answer it": st.column_config.LinkColumn(display_text="Open questionnaire")},
    )
