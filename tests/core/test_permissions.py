"""Each role may do what its job needs and nothing more; a refusal is a 403 that changes nothing.

Managers read (flows, gaps, job progress and states); analysts also create flows, select
assets, run phases, submit and retry gap jobs and answer; admins also resume flows, reset
jobs and read the audit trail. The use cases run for real, on the database and the job-key
store (Redis with PostgreSQL, the job_keys table with SQLite); the queue records what it gets.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import delete, update

from core.access import audit, engagement_admin, people
from core.enhancement import jobs as gap_jobs
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_runs import run_phase
from core.gaps.listing import page_gaps
from core.kernel.context import ROLES, RequestContext
from core.kernel.errors import Forbidden
from core.kernel.permissions import ROLE_ACTIONS, Action
from core.questionnaires.answers import save_answers
from core.storage.unit_of_work import engagement_uow
from db.models import Membership, User
from tests.factories import (
    fingerprint,
    flow_in_manual_collection,
    in_uow,
    job_keys,
    signed_in_context,
)


@dataclass(frozen=True)
class Setup:
    fresh_flow: str  # stands in asset_selection
    collecting_flow: str  # stands in manual_collection, with questionnaires
    questionnaire_id: str
    question_id: str
    asset_ids: list[str]
    job_flow: str  # stands in gap_analysis; its last gap job failed
    selected_gaps: list[dict]


def answer(db, ctx, s: Setup):
    return in_uow(
        db, ctx, save_answers, s.collecting_flow, s.questionnaire_id, {s.question_id: "Kai"}
    )


USE_CASES: dict[str, tuple[frozenset[str], Callable]] = {
    "list_flows": (frozenset(ROLES), lambda db, ctx, s: in_uow(db, ctx, flows.list_flows)),
    "get_flow": (
        frozenset(ROLES),
        lambda db, ctx, s: in_uow(db, ctx, flows.get_flow, s.fresh_flow),
    ),
    "page_gaps": (
        frozenset(ROLES),
        lambda db, ctx, s: in_uow(db, ctx, page_gaps, s.collecting_flow),
    ),
    "list_questionnaires": (
        frozenset(ROLES),
        lambda db, ctx, s: in_uow(db, ctx, flows.list_questionnaires, s.collecting_flow),
    ),
    "get_by_master_flow_id": (
        frozenset(ROLES),
        lambda db, ctx, s: CollectionChildFlowService(db, ctx).get_by_master_flow_id(s.fresh_flow),
    ),
    "create_flow": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: MasterFlowOrchestrator(db, ctx).create_flow(flow_name="New"),
    ),
    "select_assets": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: CollectionChildFlowService(db, ctx).execute_phase(
            s.fresh_flow, "asset_selection", {"selected_asset_ids": s.asset_ids}
        ),
    ),
    "submit_for_validation": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: CollectionChildFlowService(db, ctx).execute_phase(
            s.collecting_flow, "manual_collection", {"submit_for_validation": True}
        ),
    ),
    "save_answers": (frozenset({"analyst", "admin"}), answer),
    "resume_flow": (
        frozenset({"admin"}),
        lambda db, ctx, s: MasterFlowOrchestrator(db, ctx).resume_flow(s.collecting_flow),
    ),
    "run_phase": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: in_uow(
            db,
            ctx,
            run_phase,
            s.fresh_flow,
            "asset_selection",
            {"selected_asset_ids": s.asset_ids},
        ),
    ),
    "submit_gap_analysis": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: gap_jobs.submit_gap_analysis(db, ctx, s.job_flow, s.selected_gaps),
    ),
    "retry_gap_analysis": (
        frozenset({"analyst", "admin"}),
        lambda db, ctx, s: in_uow(db, ctx, gap_jobs.retry_gap_analysis, s.job_flow),
    ),
    "reset_gap_job": (
        frozenset({"admin"}),
        lambda db, ctx, s: in_uow(db, ctx, gap_jobs.reset_gap_job, s.job_flow),
    ),
    "get_gap_analysis_progress": (
        frozenset(ROLES),
        lambda db, ctx, s: gap_jobs.get_gap_analysis_progress(db, ctx, s.job_flow),
    ),
    "progress_reader": (
        frozenset(ROLES),
        lambda db, ctx, s: in_uow(db, ctx, gap_jobs.progress_reader, s.job_flow)(),
    ),
    "list_job_states": (
        frozenset(ROLES),
        lambda db, ctx, s: in_uow(db, ctx, gap_jobs.list_job_states),
    ),
    "list_members": (
        frozenset({"admin"}),
        lambda db, ctx, s: in_uow(db, ctx, people.list_members),
    ),
    "invite": (
        frozenset({"admin"}),
        lambda db, ctx, s: in_uow(db, ctx, people.invite, "new@example.com", "analyst"),
    ),
    "add_engagement": (
        frozenset({"admin"}),
        lambda db, ctx, s: in_uow(db, ctx, engagement_admin.add_engagement, "Wave 9"),
    ),
    "list_audit_events": (
        frozenset({"admin"}),
        lambda db, ctx, s: in_uow(db, ctx, audit.list_events),
    ),
}


def flow_with_a_failed_job(db, ctx: RequestContext, assets) -> tuple[str, list[dict]]:
    """A flow in gap_analysis whose gap job failed and whose rate limit has passed."""
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Jobs")
    CollectionChildFlowService(db, ctx).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    gaps = [
        {"field_name": "business_owner", "gap_type": "missing", "asset_id": str(a.id)}
        for a in assets
    ]
    job_id = gap_jobs.submit_gap_analysis(db, ctx, flow_id, gaps)["job_id"]
    collection_flow_id = str(CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id).id)
    db.rollback()  # on SQLite an open transaction holds the lock the store needs
    store = job_store_for(db.get_bind())
    state = store.get(collection_flow_id)
    assert state.job_id == job_id
    assert store.update_if_current(
        collection_flow_id, replace(state, status=JobStatus.FAILED), ["status"]
    )
    store.delete(collection_flow_id, job_id="keep-the-job-drop-the-rate-limit")
    return flow_id, gaps


@pytest.fixture
def setup(db, make_tenant, make_assets, dispatcher) -> tuple[RequestContext, Setup]:
    admin = make_tenant(role="admin")
    assets = make_assets(admin, 2, business_owner=None)
    collecting = flow_in_manual_collection(db, admin, assets[:1])
    questionnaire = in_uow(db, admin, flows.list_questionnaires, collecting)[0]
    fresh = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Fresh")
    job_flow, selected_gaps = flow_with_a_failed_job(db, admin, assets)
    return admin, Setup(
        fresh,
        collecting,
        str(questionnaire.id),
        questionnaire.questions[0]["id"],
        [str(asset.id) for asset in assets],
        job_flow,
        selected_gaps,
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("use_case", list(USE_CASES))
def test_role_matrix(db, owner_engine, setup, dispatcher, make_member, role, use_case):
    admin, prepared = setup
    # Of the whole client: an admin of one engagement is pinned in tests/core/access.
    ctx = make_member(admin, role, whole_client=True)
    allowed, call = USE_CASES[use_case]
    queued = len(dispatcher.jobs)
    if role in allowed:
        call(db, ctx, prepared)  # runs to the end: no error of any kind
        return
    before = fingerprint(db, owner_engine), job_keys()
    with pytest.raises(Forbidden) as raised:
        call(db, ctx, prepared)
    assert raised.value.status == 403 and role in raised.value.message
    assert (fingerprint(db, owner_engine), job_keys()) == before
    assert len(dispatcher.jobs) == queued  # nothing reached the queue


def test_the_job_flow_of_the_matrix_really_holds_a_failed_job(db, setup):
    admin, prepared = setup
    progress = gap_jobs.get_gap_analysis_progress(db, admin, prepared.job_flow)
    assert (progress["status"], progress["total"]) == ("failed", 2)
    if db.get_bind().dialect.name == "postgresql":  # the keys the matrix compares are seen
        assert [value["status"] for value in job_keys().values()] == ["failed"]


def test_the_matrix_agrees_with_the_role_table():
    assert ROLE_ACTIONS["manager"] == {Action.VIEW, Action.EXPORT, Action.ASSIGN_OWNERS}
    assert ROLE_ACTIONS["analyst"] - ROLE_ACTIONS["manager"] >= {
        Action.CREATE_FLOW,
        Action.RUN_PHASE,
        Action.SUBMIT_GAPS,
        Action.RETRY_JOB,
        Action.ANSWER,
        Action.SEND_REQUESTS,
    }
    assert ROLE_ACTIONS["admin"] - ROLE_ACTIONS["analyst"] == {
        Action.RESUME_FLOW,
        Action.RERUN_PHASE,
        Action.RESET_JOB,
        Action.VIEW_AUDIT,
        Action.MANAGE_PEOPLE,
        Action.MANAGE_ENGAGEMENTS,
    }


# Revoked access: the dashboard keeps a context in session state, so every use case
# re-checks the user and the membership behind it, and acts with the role held now.

REVOKED = "Your access to this engagement was removed; sign in again"


def revoke(db, ctx: RequestContext, how: str) -> None:
    if how == "user_deactivated":
        db.execute(update(User).where(User.id == ctx.user_id).values(is_active=False))
    else:
        db.execute(delete(Membership).where(Membership.user_id == ctx.user_id))
    db.commit()


@pytest.mark.parametrize("how", ["user_deactivated", "membership_removed"])
@pytest.mark.parametrize("use_case", list(USE_CASES))
def test_revoked_access_stops_every_use_case(
    db, owner_engine, setup, dispatcher, make_member, how, use_case
):
    admin, prepared = setup
    ctx = make_member(admin, "admin")  # built while the access held, as an open tab keeps it
    revoke(db, ctx, how)
    queued = len(dispatcher.jobs)
    before = fingerprint(db, owner_engine), job_keys()
    with pytest.raises(Forbidden) as raised:
        USE_CASES[use_case][1](db, ctx, prepared)
    assert (raised.value.status, raised.value.message) == (403, REVOKED)
    assert (fingerprint(db, owner_engine), job_keys()) == before
    assert len(dispatcher.jobs) == queued


def test_a_unit_of_work_reads_the_persons_standing_once_per_transaction(
    db, owner_engine, setup, make_member
):
    """A page's reads of one engagement share one unit of work and one check; access removed
    meanwhile stops the next transaction."""
    admin, _ = setup
    ctx = make_member(admin, "admin")
    with engagement_uow(ctx, db) as uow:
        uow.require(Action.VIEW)
        with owner_engine.begin() as elsewhere:  # another tab's admin removes the membership
            elsewhere.execute(delete(Membership).where(Membership.user_id == ctx.user_id))
        uow.require(Action.EXPORT)
        assert flows.list_flows(uow, limit=10) is not None
        uow.commit()
        with pytest.raises(Forbidden) as raised:
            uow.require(Action.VIEW)
    assert raised.value.message == REVOKED


def test_a_demoted_admin_acts_as_an_analyst_from_the_next_action(db, setup, make_member):
    admin, prepared = setup
    ctx = make_member(admin, "admin")
    db.execute(update(Membership).where(Membership.user_id == ctx.user_id).values(role="analyst"))
    db.commit()
    with pytest.raises(Forbidden) as raised:
        MasterFlowOrchestrator(db, ctx).resume_flow(prepared.collecting_flow)
    assert (
        raised.value.message
        == "Your role on this engagement is now analyst; it may not resume flow"
    )
    with pytest.raises(Forbidden):
        in_uow(db, ctx, audit.list_events)
    assert MasterFlowOrchestrator(db, ctx).create_flow(flow_name="Still an analyst")


def test_a_promoted_analyst_acts_as_an_admin_from_the_next_action(db, setup, make_member):
    admin, prepared = setup
    ctx = make_member(admin, "analyst")
    db.execute(update(Membership).where(Membership.user_id == ctx.user_id).values(role="admin"))
    db.commit()
    assert in_uow(db, ctx, audit.list_events)


def test_a_client_wide_membership_counts_for_its_engagements_only(db, setup, make_tenant):
    admin, _prepared = setup
    user = User(email="wide@example.com", password_hash=None)
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, client_account_id=admin.client_account_id, role="analyst"))
    db.commit()
    mine = signed_in_context(db, admin, user.id, "analyst")
    assert [flow.flow_name for flow in in_uow(db, mine, flows.list_flows)]
    # A context naming an engagement the membership does not reach is refused: of another
    # client, or another client's engagement paired with this client.
    other = make_tenant()
    for client_account_id, engagement_id in (
        (other.client_account_id, other.engagement_id),
        (admin.client_account_id, other.engagement_id),
    ):
        forged = RequestContext(
            client_account_id,
            engagement_id,
            user.id,
            "admin",
            sign_in_session_id=mine.sign_in_session_id,
        )
        with pytest.raises(Forbidden) as raised:
            in_uow(db, forged, flows.list_flows)
        assert raised.value.message == REVOKED


def test_a_context_without_a_user_is_the_operator_and_keeps_its_role(db, setup):
    # The command line and the benchmarks act as the operator of the database, not a member.
    admin, prepared = setup
    operator = RequestContext(admin.client_account_id, admin.engagement_id, role="admin")
    assert in_uow(db, operator, audit.list_events)
