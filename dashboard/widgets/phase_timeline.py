"""A flow's phase stepper: the seven phases in order, each with its state, time and mover."""

import pandas as pd
import streamlit as st

from core.flows.phase_steps import PhaseStep, StepState, human_duration
from dashboard import state

# (icon, badge colour) of each state: finished green, failed red, people's turn orange.
LOOK = {
    StepState.DONE: (":material/check_circle:", "green"),
    StepState.RUNNING: (":material/progress_activity:", "blue"),
    StepState.WAITING: (":material/person:", "orange"),
    StepState.FAILED: (":material/error:", "red"),
    StepState.CANCELLED: (":material/cancel:", "gray"),
    StepState.SKIPPED: (":material/redo:", "gray"),
    StepState.NOT_REACHED: (":material/radio_button_unchecked:", "gray"),
}


def phase_label(phase: str) -> str:
    return phase.replace("_", " ").capitalize()


def show(steps: list[PhaseStep], key: str) -> None:
    columns = st.columns(len(steps), border=True)
    for number, (column, step) in enumerate(zip(columns, steps, strict=True), start=1):
        icon, colour = LOOK[step.state]
        with column:
            st.markdown(f"**{number}. {phase_label(step.phase)}**")
            st.badge(str(step.state), icon=icon, color=colour)
            if step.time_spent is not None:
                st.text(human_duration(step.time_spent))
            if step.moved_by:
                st.caption(f"by {state.plain(step.moved_by)}")
    st.dataframe(
        pd.DataFrame(
            {
                "Phase": [phase_label(step.phase) for step in steps],
                "State": [str(step.state) for step in steps],
                "Time spent": [human_duration(step.time_spent) for step in steps],
                "Moved by": [step.moved_by or "" for step in steps],
                "Started": [state.local_time(step.started_at) for step in steps],
            }
        ),
        hide_index=True,
        key=f"{key}_table",
    )
