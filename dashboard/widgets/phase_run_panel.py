"""The panel of a run on a worker: a long phase run on the Flow page (asset selection, gap scan,
questionnaire generation), an export, the sending of requests on the Questionnaires page. A bar
the browser keeps current by polling, as the Gaps page's job panel is; the page runs once when
the run starts or ends, and says how it ended."""

import streamlit as st

from core.enhancement.phase_progress import watch_phase_run
from core.enhancement.progress_pass import PHASE_RUN
from core.flows.phase_run import PhaseRunProgress, PhaseRunStatus
from dashboard import progress_endpoint, state
from dashboard.widgets import job_panel, phase_run_figures

EVERY_SECONDS = 2
# With no live run the panel still looks, so a run someone else started shows here too.
IDLE_SECONDS = max(state.POLL_CHOICES.values())


def watch(flow_id: str, kind: str = PHASE_RUN) -> tuple[PhaseRunProgress | None, str]:
    """The flow's phase run (or export or send run, by `kind`) and the pass the browser
    polls it with."""
    read, token = state.call(
        watch_phase_run, flow_id, kind=kind, doing="read the flow's phase runs"
    )
    return state.call_without_uow(read, doing="read the flow's phase runs"), token


def show(progress: PhaseRunProgress | None, token: str, key: str = "phase_run_panel") -> None:
    """Draw the run's bar (hidden without one) and what its end calls for."""
    job_panel.show(
        phase_run_figures.shown(progress),
        progress_endpoint.path(),
        token,
        EVERY_SECONDS,
        IDLE_SECONDS,
        key=key,
    )
    _messages(progress)


def _messages(progress: PhaseRunProgress | None) -> None:
    if progress is None:
        return
    run = progress.run
    if progress.is_live:
        st.caption(f"The {run.words} runs on a worker; this page shows its result when it ends.")
    elif progress.worker_offline:
        st.warning(f"The {run.words} stopped: its worker went offline. Start it again below.")
    elif progress.stalled:
        st.warning(f"The {run.words} stopped reporting progress. Start it again below.")
    elif run.status is PhaseRunStatus.FAILED:
        # Its phase committed nothing (a gap scan on SQLite keeps the batches it wrote, which a
        # new start writes again, once each).
        st.error(f"The {run.words} failed. Start it again below.")
        st.text(run.failure or "No reason was recorded.")
