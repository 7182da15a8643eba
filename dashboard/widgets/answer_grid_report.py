"""What the last Save of answers did, said once after the rerun that brings the counts up to
date: how many were saved, and each refused answer with its asset, question and reason."""

import pandas as pd
import streamlit as st

from core.questionnaires.many_answers import SavedAnswers

_KEY = "answer_grid_last_save"


def keep(outcome: SavedAnswers) -> None:
    st.session_state[_KEY] = outcome


def show() -> None:
    outcome: SavedAnswers | None = st.session_state.pop(_KEY, None)
    if outcome is None:
        return
    refused = outcome.refused
    if not refused:
        st.success(f"Saved {outcome.saved} answer(s).")
        return
    st.warning(
        f"Saved {outcome.saved} answer(s); {len(refused)} refused and kept in the grid to fix:"
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Asset": [item.asset_name for item in refused],
                "Question": [item.label for item in refused],
                "Answer": [str(item.value) for item in refused],
                "Why refused": [item.reason for item in refused],
            }
        ),
        hide_index=True,
    )
