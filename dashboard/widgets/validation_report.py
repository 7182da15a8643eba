"""The last data-validation report of a flow: what was resolved and what to fix."""

import pandas as pd
import streamlit as st

from core.catalogue.schema import priority_label


def show(report: dict) -> None:
    st.subheader("Validation report")
    columns = st.columns(4)
    columns[0].metric("Resolved", report.get("resolved", 0))
    columns[1].metric("Invalid answers", report.get("invalid", 0))
    columns[2].metric("Unanswered", report.get("unanswered", 0))
    columns[3].metric("Critical open", report.get("open_critical_gaps", 0))
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
                "Field": [problem["field_name"] for problem in problems],
                "Priority": [priority_label(problem["priority"]) for problem in problems],
                "Answer": [str(problem.get("answer") or "") for problem in problems],
                "What to fix": [problem["message"] for problem in problems],
            }
        ),
        hide_index=True,
        key="validation_problems",
    )
