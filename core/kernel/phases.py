"""The phase machine of a collection flow: phases, allowed moves, status and progress."""

from enum import StrEnum

from core.kernel.errors import BadRequest, InvalidTransition


class CollectionPhase(StrEnum):
    INITIALIZATION = "initialization"
    ASSET_SELECTION = "asset_selection"
    GAP_ANALYSIS = "gap_analysis"
    QUESTIONNAIRE_GENERATION = "questionnaire_generation"
    MANUAL_COLLECTION = "manual_collection"
    DATA_VALIDATION = "data_validation"
    ASSESSMENT = "assessment"


class FlowStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


P = CollectionPhase
PHASE_ORDER: tuple[CollectionPhase, ...] = tuple(CollectionPhase)

ALLOWED_TRANSITIONS: dict[CollectionPhase, frozenset[CollectionPhase]] = {
    P.INITIALIZATION: frozenset({P.ASSET_SELECTION}),
    P.ASSET_SELECTION: frozenset({P.GAP_ANALYSIS}),
    P.GAP_ANALYSIS: frozenset({P.QUESTIONNAIRE_GENERATION, P.MANUAL_COLLECTION, P.ASSESSMENT}),
    P.QUESTIONNAIRE_GENERATION: frozenset({P.MANUAL_COLLECTION}),
    P.MANUAL_COLLECTION: frozenset({P.DATA_VALIDATION}),
    # Answers that fail validation go back to the people who gave them.
    P.DATA_VALIDATION: frozenset({P.ASSESSMENT, P.MANUAL_COLLECTION}),
    P.ASSESSMENT: frozenset(),
}

# Phases that wait for people pause the flow; the terminal phase completes it.
_PAUSED = {P.ASSET_SELECTION, P.MANUAL_COLLECTION}

# Phases in which the flow waits for a person to act (select assets, generate questionnaires,
# answer, validate), as opposed to the system's own work (a scan, an enhancement job): a flow
# standing here is "waiting for you", never "stuck".
WAITS_FOR_PEOPLE = frozenset(
    {P.ASSET_SELECTION, P.QUESTIONNAIRE_GENERATION, P.MANUAL_COLLECTION, P.DATA_VALIDATION}
)

PHASE_PROGRESS: dict[CollectionPhase, float] = {
    P.INITIALIZATION: 0.0,
    P.ASSET_SELECTION: 10.0,
    P.GAP_ANALYSIS: 25.0,
    P.QUESTIONNAIRE_GENERATION: 40.0,
    P.MANUAL_COLLECTION: 55.0,
    P.DATA_VALIDATION: 75.0,
    P.ASSESSMENT: 100.0,
}

# Flows in these states are finished: resuming them is a conflict.
FINISHED_STATUSES = frozenset({FlowStatus.COMPLETED, FlowStatus.CANCELLED})


def parse_phase(value: object, field: str = "phase_name") -> CollectionPhase:
    if not isinstance(value, str) or value not in PHASE_ORDER:
        names = ", ".join(PHASE_ORDER)
        raise BadRequest(f"{field} must be one of {names}; got {value!r}", field=field)
    return CollectionPhase(value)


def status_for(phase: CollectionPhase) -> FlowStatus:
    if phase is P.ASSESSMENT:
        return FlowStatus.COMPLETED
    return FlowStatus.PAUSED if phase in _PAUSED else FlowStatus.RUNNING


def check_transition(current: CollectionPhase, new: CollectionPhase) -> None:
    if new not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "none (terminal)"
        raise InvalidTransition(
            f"cannot move a flow from {current} to {new}; allowed: {allowed}", field="phase"
        )
