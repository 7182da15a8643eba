"""A flow's seven phases as a stepper: each phase's final state, time spent and who moved it.

Built from the master's `phase_transitions` (each entry opens a phase; the next one closes
it), so a phase the flow has left is closed whatever status it was entered with: the
asset selection a person finished is done, not "paused", and a completed flow runs nothing.
"""

import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core.flows.health import waits_for_people
from core.kernel.permissions import Action
from core.kernel.phases import PHASE_ORDER, CollectionPhase, FlowStatus
from core.storage.unit_of_work import UnitOfWork
from db.types import utcnow

SYSTEM = "system"
# Transitions recorded before movers were: nobody is named rather than the wrong one.
UNRECORDED = ""


class StepState(StrEnum):
    DONE = "done"
    RUNNING = "running"
    WAITING = "waiting for you"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
    NOT_REACHED = "not reached"


@dataclass(frozen=True)
class PhaseStep:
    phase: CollectionPhase
    state: StepState
    started_at: datetime | None  # first entry into the phase
    time_spent: timedelta | None  # every visit added up; None when never entered
    # Who moved the flow on from the phase (into it, for the current one): a user id, None for
    # the system, UNRECORDED when the transition did not say.
    moved_by: str | None
    visits: int = 0
    tries: tuple["PhaseTry", ...] = ()


class TryStart(StrEnum):
    ENTERED = "entered"  # the flow came into the phase
    RESUMED = "resumed"  # an admin ran the phase again (after a failure, or a stuck flow)


@dataclass(frozen=True)
class PhaseTry:
    """One attempt at a phase, kept when it failed, as a grid of task tries keeps them."""

    number: int
    state: StepState
    started_at: datetime
    time_spent: timedelta
    started_by: str | None  # a user id, None for the system, UNRECORDED when not said
    start: TryStart
    error: str | None = None  # why a failed try failed


@dataclass
class _Visits:
    started_at: datetime
    time_spent: timedelta
    moved_by: str | None
    count: int


def build_steps(
    transitions: list[dict[str, Any]],
    flow_status: str,
    now: datetime | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> list[PhaseStep]:
    """One step per phase in DESIGN.md's order, whatever the order the flow took, each with
    its tries (`errors`: the master's error_history, to say why a try failed)."""
    now = now or utcnow()
    tries = build_tries(transitions, flow_status, now, errors or [])
    entries = [
        (CollectionPhase(entry["phase"]), datetime.fromisoformat(entry["timestamp"]), entry)
        for entry in transitions
    ]
    visits: dict[CollectionPhase, _Visits] = {}
    finished = flow_status in (FlowStatus.COMPLETED, FlowStatus.CANCELLED)
    for index, (phase, start, entry) in enumerate(entries):
        following = entries[index + 1] if index + 1 < len(entries) else None
        if entry.get("status") == FlowStatus.FAILED:
            # Time spent failed, waiting for a resume, is no time spent in the phase.
            end, mover = start, entry.get("by", UNRECORDED)
        elif following is not None:
            end, mover = following[1], following[2].get("by", UNRECORDED)
        else:
            # The last phase runs until now, unless the flow is over (or failed: its clock stops).
            stopped = finished or flow_status == FlowStatus.FAILED
            end, mover = (start if stopped else now), entry.get("by", UNRECORDED)
        previous = entries[index - 1][0] if index else None
        seen = visits.get(phase)
        if seen is None:
            visits[phase] = _Visits(start, max(end - start, timedelta()), mover, 1)
        else:
            seen.time_spent += max(end - start, timedelta())
            seen.moved_by = mover
            seen.count += previous is not phase  # a failure and its resume are one visit
    current = entries[-1][0] if entries else None
    furthest = max((PHASE_ORDER.index(phase) for phase in visits), default=-1)
    steps = []
    for position, phase in enumerate(PHASE_ORDER):
        seen = visits.get(phase)
        if seen is None:
            state = StepState.SKIPPED if position < furthest else StepState.NOT_REACHED
            steps.append(PhaseStep(phase, state, None, None, None))
            continue
        state = StepState.DONE if phase is not current else _current_state(phase, flow_status)
        steps.append(
            PhaseStep(
                phase,
                state,
                seen.started_at,
                seen.time_spent,
                seen.moved_by,
                seen.count,
                tuple(tries.get(phase, ())),
            )
        )
    return steps


def build_tries(
    transitions: list[dict[str, Any]],
    flow_status: str,
    now: datetime,
    errors: list[dict[str, Any]],
) -> dict[CollectionPhase, list[PhaseTry]]:
    """Every try of every phase: an entry into a phase or a resume starts one; a failure, or
    the next phase, ends it. A failed try stays, with its error."""
    failures = {
        phase: [str(error.get("error", "")) for error in errors if error.get("phase") == phase]
        for phase in {str(error.get("phase")) for error in errors}
    }
    tries: dict[CollectionPhase, list[PhaseTry]] = {}
    open_try: dict[str, Any] | None = None
    failed_phase: CollectionPhase | None = None

    def close(
        opened: dict[str, Any], state: StepState, end: datetime, error: str | None = None
    ) -> None:
        phase = opened["phase"]
        spent = max(end - opened["at"], timedelta())
        number = len(tries.setdefault(phase, [])) + 1
        tries[phase].append(
            PhaseTry(number, state, opened["at"], spent, opened["by"], opened["how"], error)
        )

    for entry in transitions:
        phase = CollectionPhase(entry["phase"])
        moment = datetime.fromisoformat(entry["timestamp"])
        if entry.get("status") == FlowStatus.FAILED:
            if open_try is not None:
                seen = sum(t.state is StepState.FAILED for t in tries.get(phase, []))
                reasons = failures.get(phase.value, [])
                reason = reasons[seen] if seen < len(reasons) else None
                close(open_try, StepState.FAILED, moment, reason)
            open_try, failed_phase = None, phase
            continue
        resumed = entry.get("resumed") or failed_phase is phase
        if open_try is not None and open_try["phase"] is phase and not resumed:
            continue  # a change of status within the same try
        if open_try is not None:
            close(open_try, StepState.DONE, moment)
        how = TryStart.RESUMED if resumed else TryStart.ENTERED
        open_try = {"phase": phase, "at": moment, "by": entry.get("by", UNRECORDED), "how": how}
        failed_phase = None
    if open_try is not None:
        finished = flow_status in (FlowStatus.COMPLETED, FlowStatus.CANCELLED)
        close(
            open_try,
            _current_state(open_try["phase"], flow_status),
            open_try["at"] if finished else now,
        )
    return tries


def _current_state(phase: CollectionPhase, flow_status: str) -> StepState:
    if flow_status == FlowStatus.COMPLETED:
        return StepState.DONE
    if flow_status == FlowStatus.CANCELLED:
        return StepState.CANCELLED
    if flow_status == FlowStatus.FAILED:
        return StepState.FAILED
    return StepState.WAITING if waits_for_people(phase, flow_status) else StepState.RUNNING


def flow_steps(uow: UnitOfWork, flow_id: str) -> list[PhaseStep]:
    """The stepper of a flow of this engagement, with the people who moved it named."""
    uow.require(Action.VIEW)
    flow = uow.flow_without_selection(flow_id)
    master = flow.master_flow
    steps = build_steps(master.phase_transitions, flow.status, errors=master.error_history)
    movers = {step.moved_by for step in steps} | {t.started_by for s in steps for t in s.tries}
    ids = {uuid.UUID(mover) for mover in movers if mover}
    names = {str(key): name for key, name in uow.audit.user_names(ids).items()}
    return [
        PhaseStep(
            step.phase,
            step.state,
            step.started_at,
            step.time_spent,
            _name(step, names),
            step.visits,
            tuple(replace(t, started_by=_person(t.started_by, names)) for t in step.tries),
        )
        for step in steps
    ]


def _person(mover: str | None, names: dict[str, str]) -> str | None:
    if mover == UNRECORDED:
        return None
    return names.get(mover, "a removed account") if mover else SYSTEM


def _name(step: PhaseStep, names: dict[str, str]) -> str | None:
    if step.time_spent is None or step.moved_by == UNRECORDED:
        return None
    return names.get(step.moved_by, "a removed account") if step.moved_by else SYSTEM


def human_duration(spent: timedelta | None) -> str:
    """ "45 s", "4 min", "2 h 10 min", "3 d 4 h": as precise as people read it."""
    if spent is None:
        return ""
    seconds = int(spent.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours == 0:
        return f"{minutes} min"
    if days == 0:
        rest = minutes - hours * 60
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    rest = hours - days * 24
    return f"{days} d {rest} h" if rest else f"{days} d"
