"""Waiting for a person is not running, and never stuck; the system's work can be."""

from datetime import timedelta

import pytest

from core.flows.health import STUCK_AFTER, WAITING_FOR_YOU, activity, is_stuck, may_be_stuck
from db.types import utcnow

LONG_AGO = timedelta(days=3)


@pytest.mark.parametrize(
    ("phase", "status"),
    [
        ("asset_selection", "paused"),
        ("questionnaire_generation", "running"),
        ("manual_collection", "paused"),
        ("data_validation", "running"),
    ],
)
def test_a_flow_waiting_for_a_person_says_so_and_is_never_stuck(phase, status):
    now = utcnow()
    assert activity(phase, status) == WAITING_FOR_YOU
    assert not is_stuck(status, now - LONG_AGO, False, now, phase=phase)
    assert not may_be_stuck(status, now - LONG_AGO, now, phase=phase)


@pytest.mark.parametrize("phase", ["initialization", "gap_analysis"])
def test_a_flow_waiting_on_the_system_runs_and_is_stuck_when_nothing_moves(phase):
    now = utcnow()
    assert activity(phase, "running") == "running"
    assert is_stuck("running", now - STUCK_AFTER - timedelta(seconds=1), False, now, phase=phase)
    assert not is_stuck(
        "running", now - STUCK_AFTER + timedelta(seconds=1), False, now, phase=phase
    )


@pytest.mark.parametrize("status", ["completed", "failed", "cancelled"])
def test_finished_or_failed_flows_read_as_their_status(status):
    assert activity("manual_collection", status) == status
    assert activity("assessment", status) == status
