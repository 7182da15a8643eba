import pytest

from core.kernel.errors import BadRequest, InvalidTransition
from core.kernel.phases import (
    ALLOWED_TRANSITIONS,
    PHASE_ORDER,
    PHASE_PROGRESS,
    CollectionPhase,
    FlowStatus,
    check_transition,
    parse_phase,
    status_for,
)

P = CollectionPhase


def test_the_straight_line_is_allowed():
    for current, following in zip(PHASE_ORDER, PHASE_ORDER[1:], strict=False):
        check_transition(current, following)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (P.GAP_ANALYSIS, P.MANUAL_COLLECTION),
        (P.GAP_ANALYSIS, P.ASSESSMENT),
        (P.DATA_VALIDATION, P.MANUAL_COLLECTION),
    ],
)
def test_the_design_shortcuts_are_allowed(current, new):
    check_transition(current, new)


def test_everything_else_is_an_invalid_transition():
    allowed = {
        (current, new) for current, targets in ALLOWED_TRANSITIONS.items() for new in targets
    }
    for current in P:
        for new in P:
            if (current, new) not in allowed:
                with pytest.raises(InvalidTransition) as raised:
                    check_transition(current, new)
                assert raised.value.status == 409


def test_people_phases_pause_and_assessment_completes():
    assert status_for(P.ASSET_SELECTION) is FlowStatus.PAUSED
    assert status_for(P.MANUAL_COLLECTION) is FlowStatus.PAUSED
    assert status_for(P.ASSESSMENT) is FlowStatus.COMPLETED
    assert status_for(P.GAP_ANALYSIS) is FlowStatus.RUNNING


def test_progress_grows_along_the_line_to_100():
    values = [PHASE_PROGRESS[phase] for phase in PHASE_ORDER]
    assert values == sorted(values)
    assert values[-1] == 100.0


def test_an_unknown_phase_name_is_a_400_naming_the_field():
    with pytest.raises(BadRequest) as raised:
        parse_phase("gap_analysys")
    assert raised.value.field == "phase_name"
    assert "gap_analysys" in raised.value.message
