"""A flow's phase stepper: the seven phases in order, each with its state, time and mover."""

from typing import Literal

import pandas as pd
import streamlit as st

from core.catalogue import labels
from core.flows.health import WAITING_FOR_YOU
from core.flows.phase_steps import PhaseStep, PhaseTry, StepState, TryStart, human_duration
from dashboard import shown_text

# (icon, badge colour) of each state: finished green, failed red, people's turn orange.
BadgeColour = Literal["green", "blue", "orange", "red", "gray"]
LOOK: dict[StepState, tuple[str, BadgeColour]] = {
    StepState.DONE: (":material/check_circle:", "green"),
    StepState.RUNNING: (":material/progress_activity:", "blue"),
    StepState.WAITING: (":material/person:", "orange"),
    StepState.FAILED: (":material/error:", "red"),
    StepState.CANCELLED: (":material/cancel:", "gray"),
    StepState.SKIPPED: (":material/redo:", "gray"),
    StepState.NOT_REACHED: (":material/radio_button_unchecked:", "gray"),
}


def state_words(state: StepState, waiting: str) -> str:
    """A step's state as the reader reads it: the phase waiting for a person says who acts."""
    return waiting if state is StepState.WAITING else str(state)


def show(steps: list[PhaseStep], key: str, *, waiting: str = WAITING_FOR_YOU) -> None:
    """One line per phase, top to bottom in the order a flow walks them. `waiting`: what the
    phase waiting for a person says to this reader ("waiting for an analyst" to a manager)."""
    for number, step in enumerate(steps, start=1):
        icon, colour = LOOK[step.state]
        phase, badge, spent, mover = st.columns([2.4, 1.6, 1, 2.4], vertical_alignment="center")
        phase.markdown(f"**{number}. {labels.phase_label(step.phase)}**")
        with badge:
            st.badge(state_words(step.state, waiting), icon=icon, color=colour)
        spent.text(human_duration(step.time_spent))
        if step.moved_by:
            mover.caption(f"by {shown_text.plain(step.moved_by)}")
        if len(step.tries) > 1 or any(t.state is StepState.FAILED for t in step.tries):
            _tries(step.tries, waiting)
    tried = [(step, one) for step in steps for one in step.tries]
    with st.expander("As a table"):
        st.dataframe(
            pd.DataFrame(
                {
                    "Phase": [labels.phase_label(step.phase) for step in steps],
                    "State": [state_words(step.state, waiting) for step in steps],
                    "Time spent": [human_duration(step.time_spent) for step in steps],
                    "Moved by": [step.moved_by or "" for step in steps],
                    "Started": [shown_text.local_time(step.started_at) for step in steps],
                }
            ),
            hide_index=True,
            key=f"{key}_table",
        )
        st.dataframe(
            pd.DataFrame(
                {
                    "Phase": [labels.phase_label(step.phase) for step, _ in tried],
                    "Try": [one.number for _, one in tried],
                    "State": [state_words(one.state, waiting) for _, one in tried],
                    "Time spent": [human_duration(one.time_spent) for _, one in tried],
                    "Started by": [_starter(one) for _, one in tried],
                    "Started": [shown_text.local_time(one.started_at) for _, one in tried],
                    "Error": [one.error or "" for _, one in tried],
                }
            ),
            hide_index=True,
            key=f"{key}_tries",
        )


def _starter(one: PhaseTry) -> str:
    who = one.started_by or "nobody recorded"
    return f"resumed by {who}" if one.start is TryStart.RESUMED else who


def _tries(tries: tuple[PhaseTry, ...], waiting: str) -> None:
    """Every try of the phase, the failed ones kept, each with who started it (indented)."""
    for one in tries:
        _, line = st.columns([0.3, 7.1])
        icon, _colour = LOOK[one.state]
        spent = human_duration(one.time_spent)
        how = {StepState.DONE: f"done in {spent}", StepState.FAILED: f"failed after {spent}"}
        ongoing = f"{state_words(one.state, waiting)}, {spent} so far"
        said = f"Try {one.number}: {how.get(one.state, ongoing)}"
        if one.started_by:
            said += (
                f", {_starter(one)}" if one.start is TryStart.RESUMED else f", by {one.started_by}"
            )
        line.caption(f"{icon} {shown_text.plain(said)}")
        if one.error:
            line.text(f"Error: {one.error}")
