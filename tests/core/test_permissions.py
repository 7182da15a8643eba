"""Each role may do what its job needs and nothing more; a refusal is a 403 that changes nothing.

Managers read; analysts also create flows, select assets, run phases and answer; admins also
resume flows and read the audit trail. The use cases run for real, on the database.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from core import audit, flows
from core.answers import save_answers
from core.child_flow_service import CollectionChildFlowService
from core.context import ROLES, RequestContext
from core.errors import Forbidden
from core.orchestrator import MasterFlowOrchestrator
from core.permissions import ROLE_ACTIONS, Action
from tests.factories import fingerprint, flow_in_manual_collection


@dataclass(frozen=True)
class Setup:
    fresh_flow: str  # stands in asset_selection
    collecting_flow: str  # stands in manual_collection, with questionnaires
    questionnaire_id: str
    question_id: str
    asset_ids: list[str]


def answer(db, ctx, s: Setup):
    return save_answers(db, ctx, s.collecting_flow, s.questionnaire_id, {s.question_id: "Kai"})


USE_CASES: dict[str, tuple[frozenset[str], Callable]] = {
    "list_flows": (frozenset(ROLES), lambda db, ctx, s: flows.list_flows(db, ctx)),
    "get_flow": (frozenset(ROLES), lambda db, ctx, s: flows.get_flow(db, ctx, s.fresh_flow)),
    "list_gaps": (
        frozenset(ROLES),
        lambda db, ctx, s: flows.list_gaps(db, ctx, s.collecting_flow),
    ),
    "list_questionnaires": (
        frozenset(ROLES),
        lambda db, ctx, s: flows.list_questionnaires(db, ctx, s.collecting_flow),
    ),
    "get_child_status": (
        frozenset(ROLES),
        lambda db, ctx, s: CollectionChildFlowService(db, ctx).get_child_status(s.fresh_flow),
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
    "list_audit_events": (frozenset({"admin"}), lambda db, ctx, s: audit.list_events(db, ctx)),
    "list_audit_actions": (frozenset({"admin"}), lambda db, ctx, s: audit.list_actions(db, ctx)),
}


@pytest.fixture
def setup(db, make_tenant, make_assets) -> tuple[RequestContext, Setup]:
    admin = make_tenant(role="admin")
    assets = make_assets(admin, 2, business_owner=None)
    collecting = flow_in_manual_collection(db, admin, assets[:1])
    questionnaire = flows.list_questionnaires(db, admin, collecting)[0]
    fresh = MasterFlowOrchestrator(db, admin).create_flow(flow_name="Fresh")
    return admin, Setup(
        fresh,
        collecting,
        str(questionnaire.id),
        questionnaire.questions[0]["id"],
        [str(asset.id) for asset in assets],
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("use_case", list(USE_CASES))
def test_role_matrix(db, owner_engine, setup, role, use_case):
    admin, prepared = setup
    ctx = RequestContext(admin.client_account_id, admin.engagement_id, uuid.uuid4(), role)
    allowed, call = USE_CASES[use_case]
    if role in allowed:
        call(db, ctx, prepared)  # runs to the end: no error of any kind
        return
    before = fingerprint(db, owner_engine)
    with pytest.raises(Forbidden) as raised:
        call(db, ctx, prepared)
    assert raised.value.status == 403 and role in raised.value.message
    assert fingerprint(db, owner_engine) == before


def test_the_matrix_agrees_with_the_role_table():
    assert ROLE_ACTIONS["manager"] == {Action.VIEW, Action.EXPORT}
    assert ROLE_ACTIONS["analyst"] - ROLE_ACTIONS["manager"] >= {
        Action.CREATE_FLOW,
        Action.RUN_PHASE,
        Action.SUBMIT_GAPS,
        Action.RETRY_JOB,
        Action.ANSWER,
    }
    assert ROLE_ACTIONS["admin"] - ROLE_ACTIONS["analyst"] == {
        Action.RESUME_FLOW,
        Action.RESET_JOB,
        Action.VIEW_AUDIT,
    }
