"""The stepper: all seven phases in order, each closed by the next, with time and mover."""

from datetime import UTC, datetime, timedelta

import pytest

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator, resume_flow
from core.flows.phase_steps import (
    SYSTEM,
    UNRECORDED,
    StepState,
    TryStart,
    build_steps,
    flow_steps,
    human_duration,
)
from core.flows.state import CollectionFlowStateService
from core.kernel.context import RequestContext
from core.kernel.phases import PHASE_ORDER
from db.models import User
from tests.factories import flow_in_manual_collection, in_uow

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
S = StepState


def entry(phase: str, status: str, minutes: float, by: str | None = "u1") -> dict:
    moment = T0 + timedelta(minutes=minutes)
    return {"phase": phase, "status": status, "timestamp": moment.isoformat(), "by": by}


def states(steps) -> list[str]:
    return [step.state for step in steps]


COMPLETED = [
    entry("initialization", "completed", 0),
    entry("asset_selection", "paused", 0),
    entry("gap_analysis", "running", 4),
    entry("questionnaire_generation", "running", 5, by=None),
    entry("manual_collection", "paused", 7),
    entry("data_validation", "running", 137),
    entry("assessment", "completed", 138, by="u2"),
]


def test_a_completed_flow_has_every_phase_done_in_order_and_nothing_running():
    steps = build_steps(COMPLETED, "completed", now=T0 + timedelta(days=2))
    assert [step.phase for step in steps] == list(PHASE_ORDER)
    assert states(steps) == [S.DONE] * 7
    assert [human_duration(step.time_spent) for step in steps] == [
        "0 s",
        "4 min",
        "1 min",
        "2 min",
        "2 h 10 min",
        "1 min",
        "0 s",
    ]
    # Who moved the flow on from each phase: the scan's end was the system's.
    assert [step.moved_by for step in steps] == ["u1", "u1", None, "u1", "u1", "u2", "u2"]


def test_transitions_that_did_not_record_a_mover_name_nobody():
    older = [{key: value for key, value in item.items() if key != "by"} for item in COMPLETED]
    steps = build_steps(older, "completed", now=T0)
    assert {step.moved_by for step in steps} == {UNRECORDED}


def test_phases_not_reached_are_shown_and_the_current_one_waits_for_people():
    steps = build_steps(COMPLETED[:5], "paused", now=T0 + timedelta(minutes=67))
    assert states(steps) == [
        S.DONE,
        S.DONE,
        S.DONE,
        S.DONE,
        S.WAITING,
        S.NOT_REACHED,
        S.NOT_REACHED,
    ]
    assert human_duration(steps[4].time_spent) == "1 h"
    assert steps[5].time_spent is None and steps[5].moved_by is None


def test_a_scan_on_the_system_runs_and_a_skipped_phase_says_so():
    running = build_steps(COMPLETED[:3], "running", now=T0 + timedelta(minutes=5))
    assert states(running)[:3] == [S.DONE, S.DONE, S.RUNNING]
    straight_on = [*COMPLETED[:3], entry("assessment", "completed", 6)]
    steps = build_steps(straight_on, "completed", now=T0 + timedelta(days=1))
    assert states(steps) == [S.DONE, S.DONE, S.DONE, S.SKIPPED, S.SKIPPED, S.SKIPPED, S.DONE]


def test_a_failed_phase_stops_its_clock_and_a_resume_continues_the_same_visit():
    failed = [*COMPLETED[:3], entry("gap_analysis", "failed", 6)]
    steps = build_steps(failed, "failed", now=T0 + timedelta(days=1))
    assert steps[2].state is S.FAILED
    assert human_duration(steps[2].time_spent) == "2 min"
    resumed = [*failed, entry("gap_analysis", "running", 60, by="admin")]
    steps = build_steps(resumed, "running", now=T0 + timedelta(minutes=63))
    assert steps[2].state is S.RUNNING and steps[2].visits == 1
    assert human_duration(steps[2].time_spent) == "5 min"
    assert steps[2].moved_by == "admin"


def test_answers_sent_back_add_up_the_visits_of_manual_collection():
    back = [
        *COMPLETED[:6],
        entry("manual_collection", "paused", 140),
    ]
    steps = build_steps(back, "paused", now=T0 + timedelta(minutes=150))
    assert states(steps)[4:] == [S.WAITING, S.DONE, S.NOT_REACHED]
    assert steps[4].visits == 2
    assert human_duration(steps[4].time_spent) == "2 h 20 min"


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0, "0 s"),
        (59, "59 s"),
        (60, "1 min"),
        (3599, "59 min"),
        (3600, "1 h"),
        (7800, "2 h 10 min"),
        (86400, "1 d"),
        (90000, "1 d 1 h"),
    ],
)
def test_durations_read_as_people_say_them(seconds, shown):
    assert human_duration(timedelta(seconds=seconds)) == shown
    assert human_duration(None) == ""


def test_the_steps_of_a_real_flow_name_who_moved_it(db, tenant, make_assets):
    db.get(User, tenant.user_id).display_name = "Dana Ortiz"
    db.commit()
    flow_id = flow_in_manual_collection(db, tenant, make_assets(tenant, 1, business_owner=None))
    steps = in_uow(db, tenant, flow_steps, flow_id)
    assert states(steps) == [S.DONE] * 4 + [S.WAITING, S.NOT_REACHED, S.NOT_REACHED]
    assert {step.moved_by for step in steps[:5]} == {"Dana Ortiz"}


def test_a_move_made_by_no_person_is_the_systems(db, tenant, make_assets):
    assets = make_assets(tenant, 1, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Scanned by a worker")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]}
    )
    worker = RequestContext(tenant.client_account_id, tenant.engagement_id, role="admin")
    CollectionChildFlowService(db, worker).execute_phase(flow_id, "gap_analysis")
    steps = in_uow(db, tenant, flow_steps, flow_id)
    assert steps[2].state is S.DONE and steps[2].moved_by == SYSTEM
    assert steps[3].state is S.WAITING and steps[3].moved_by == SYSTEM


def test_a_failed_try_stays_with_its_error_and_the_resume_is_a_try_by_who_resumed():
    failed = [*COMPLETED[:3], entry("gap_analysis", "failed", 6)]
    resumed = [
        *failed,
        entry("gap_analysis", "running", 60, by="admin"),
        entry("questionnaire_generation", "running", 61, by="admin"),
    ]
    errors = [{"phase": "gap_analysis", "error": "the scan lost its database"}]
    steps = build_steps(resumed, "running", now=T0 + timedelta(minutes=63), errors=errors)
    first, second = steps[2].tries
    assert (first.number, first.state, first.start, first.started_by) == (
        1,
        S.FAILED,
        TryStart.ENTERED,
        "u1",
    )
    assert human_duration(first.time_spent) == "2 min"
    assert first.error == "the scan lost its database"
    assert (second.number, second.state, second.start, second.started_by) == (
        2,
        S.DONE,
        TryStart.RESUMED,
        "admin",
    )
    assert human_duration(second.time_spent) == "1 min" and second.error is None
    # A phase tried once, done, has that one try; the step's own figures are as before.
    assert [t.state for t in steps[1].tries] == [S.DONE]
    assert steps[2].state is S.DONE and human_duration(steps[2].time_spent) == "3 min"


def test_a_real_resume_keeps_the_failed_try_and_names_the_admin(
    db, tenant, make_assets, make_member
):
    assets = make_assets(tenant, 1, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Failing scan")
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": [str(assets[0].id)]})
    CollectionFlowStateService(db, tenant).mark_failed(
        service.get_by_master_flow_id(flow_id), "the scan lost its database"
    )
    admin = make_member(tenant, "admin")
    db.get(User, admin.user_id).display_name = "Ada Admin"
    db.commit()
    in_uow(db, admin, resume_flow, flow_id)
    steps = in_uow(db, tenant, flow_steps, flow_id)
    failed, done = steps[2].tries
    assert (failed.state, failed.error) == (S.FAILED, "the scan lost its database")
    assert (done.state, done.start, done.started_by) == (S.DONE, TryStart.RESUMED, "Ada Admin")
