"""Malformed input at every core entry point ends in a typed refusal that changes nothing.

Hypothesis mixes junk (wrong types, bad UUIDs, huge numbers, odd text) with real ids of
this tenant and of another; a call either succeeds or raises a CollectionError whose
status fits that entry point, and a refused call leaves every table and every job key as
it was and hands nothing to the queue.
"""

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.access import audit
from core.access.accounts import add_member
from core.access.identity import authenticate, context_for, sign_in_oidc
from core.access.passwords import hash_password
from core.catalogue.attributes import BY_NAME, GapCategory, GapType
from core.enhancement import jobs as gap_jobs
from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import AUTOMATION_TIERS, MasterFlowOrchestrator
from core.flows.phase_runs import run_phase
from core.gaps.filters import GAP_STATUSES
from core.gaps.listing import page_gaps
from core.inventory.listing import page_assets
from core.kernel.context import ROLES, RequestContext
from core.kernel.errors import BadRequest, CollectionError
from core.kernel.phases import CollectionPhase, FlowStatus
from core.questionnaires.answers import save_answers
from db.models import ClientAccount, Membership, User
from tests.factories import (
    fingerprint,
    flow_in_manual_collection,
    in_uow,
    job_keys,
    on_accounts,
    sign_in_session,
)

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(min_size=300, max_size=400),
    st.binary(max_size=8),
)
junk = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)


@pytest.fixture
def world(db, make_tenant, make_member, make_assets):
    """Tenant A (whose caller varies in role) and tenant B, each with flows and a user."""
    a, b = make_tenant(role="admin"), make_tenant(role="admin")
    members = {role: make_member(a, role) for role in ROLES}
    flow_b = MasterFlowOrchestrator(db, b).create_flow(flow_name="B's")
    asset_b = make_assets(b, 1)[0]
    assets = make_assets(a, 2, business_owner=None)
    collecting = flow_in_manual_collection(db, a, assets[:1])
    questionnaire = in_uow(db, a, flows.list_questionnaires, collecting)[0]
    fresh = MasterFlowOrchestrator(db, a).create_flow(flow_name="Fresh")
    user = User(email="dana@example.com", password_hash=hash_password("correct horse battery"))
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id, client_account_id=a.client_account_id, role="analyst"))
    db.commit()
    return {
        "a": a,
        "members": members,
        "flow_ids": [fresh, collecting, flow_b],
        "questionnaire_id": str(questionnaire.id),
        "question_ids": [question["id"] for question in questionnaire.questions],
        "asset_ids": [str(asset.id) for asset in assets],
        "other_asset_ids": [str(asset_b.id)],
        "user_id": str(user.id),
        "sign_in_session_id": str(sign_in_session(db, user.id)),
        "tenant_ids": [
            str(a.client_account_id),
            str(a.engagement_id),
            str(b.client_account_id),
            str(b.engagement_id),
        ],
    }


def ids(values: list[str]) -> st.SearchStrategy:
    """Real ids, random UUIDs (as text or objects) and junk."""
    return st.one_of(st.sampled_from(values), st.uuids().map(str), st.uuids(), junk)


def choices_or_junk(allowed) -> st.SearchStrategy:
    return st.one_of(st.lists(st.sampled_from(list(allowed)), max_size=3), junk)


def caller(draw, world) -> RequestContext:
    return world["members"][draw(st.sampled_from(ROLES))]


def selected_gaps(w) -> st.SearchStrategy:
    """Lists of gap dicts (right, wrong or unknown fields and types), huge lists, and junk."""
    gap = st.builds(
        lambda known, extra: {**extra, **known},
        st.fixed_dictionaries(
            {
                "field_name": st.one_of(st.sampled_from(list(BY_NAME)), st.text(), junk),
                "gap_type": st.one_of(st.sampled_from(list(GapType)), st.text(), junk),
                "asset_id": ids(w["asset_ids"] + w["other_asset_ids"]),
            },
            optional={"asset_name": st.one_of(st.text(), st.text(min_size=300), junk)},
        ),
        st.dictionaries(st.text(max_size=12), junk, max_size=2),
    )
    # Well-formed gaps (with unknown extra fields) reach tenancy, the job key and the limit.
    good = st.builds(
        lambda field_name, gap_type, asset_id, extra: {
            **extra,
            "field_name": field_name,
            "gap_type": gap_type,
            "asset_id": asset_id,
        },
        st.sampled_from(list(BY_NAME)),
        st.sampled_from(list(GapType)),
        st.sampled_from(w["asset_ids"] + w["other_asset_ids"]),
        st.dictionaries(st.text(max_size=12), junk, max_size=2),
    )
    some = st.lists(st.one_of(gap, junk), max_size=4)
    huge = st.tuples(gap, st.integers(201, 5000)).map(lambda pair: [pair[0]] * pair[1])
    return st.one_of(st.lists(good, min_size=1, max_size=3), some, huge, st.text(), junk)


# entry point -> (statuses it may answer with, the call drawing its arguments)
ENTRY_POINTS: dict[str, tuple[set[int], Callable]] = {
    "create_flow": (
        {400, 403},
        lambda db, w, draw: MasterFlowOrchestrator(db, caller(draw, w)).create_flow(
            draw(st.one_of(st.just("collection"), junk)),
            draw(st.one_of(st.text(max_size=300), junk)),
            draw(
                st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {"automation_tier": st.one_of(st.sampled_from(AUTOMATION_TIERS), junk)}
                    ),
                )
            ),
        ),
    ),
    "execute_phase": (
        {400, 403, 404, 409},
        lambda db, w, draw: CollectionChildFlowService(db, caller(draw, w)).execute_phase(
            draw(ids(w["flow_ids"])),
            draw(st.one_of(st.sampled_from(list(CollectionPhase)), junk)),
            draw(
                st.one_of(
                    junk,
                    st.fixed_dictionaries(
                        {"selected_asset_ids": st.one_of(st.lists(ids(w["asset_ids"])), junk)}
                    ),
                    st.fixed_dictionaries({"submit_for_validation": junk}),
                )
            ),
        ),
    ),
    "resume_flow": (
        {400, 403, 404, 409},
        lambda db, w, draw: MasterFlowOrchestrator(db, caller(draw, w)).resume_flow(
            draw(ids(w["flow_ids"])),
            draw(
                st.one_of(
                    st.none(),
                    junk,
                    # What the phase the flow stands in takes, so the phase itself may refuse.
                    st.fixed_dictionaries(
                        {"selected_asset_ids": st.one_of(st.lists(ids(w["asset_ids"])), junk)}
                    ),
                    st.fixed_dictionaries({"submit_for_validation": junk}),
                )
            ),
        ),
    ),
    "run_phase": (
        {400, 403, 404, 409},
        lambda db, w, draw: in_uow(
            db,
            caller(draw, w),
            run_phase,
            draw(ids(w["flow_ids"])),
            draw(st.one_of(st.sampled_from(list(CollectionPhase)), junk)),
            draw(
                st.one_of(
                    st.none(),
                    junk,
                    st.fixed_dictionaries(
                        {"selected_asset_ids": st.one_of(st.lists(ids(w["asset_ids"])), junk)}
                    ),
                )
            ),
        ),
    ),
    "submit_gap_analysis": (
        {400, 403, 404, 409, 429},
        lambda db, w, draw: gap_jobs.submit_gap_analysis(
            db,
            caller(draw, w),
            draw(st.one_of(st.sampled_from(w["flow_ids"]), ids(w["flow_ids"]))),
            draw(selected_gaps(w)),
        ),
    ),
    "retry_gap_analysis": (
        {400, 403, 404, 409, 429},
        lambda db, w, draw: in_uow(
            db, caller(draw, w), gap_jobs.retry_gap_analysis, draw(ids(w["flow_ids"]))
        ),
    ),
    "reset_gap_job": (
        {400, 403, 404, 409},
        lambda db, w, draw: in_uow(
            db, caller(draw, w), gap_jobs.reset_gap_job, draw(ids(w["flow_ids"]))
        ),
    ),
    "get_gap_analysis_progress": (
        {400, 404},
        lambda db, w, draw: gap_jobs.get_gap_analysis_progress(
            db, caller(draw, w), draw(ids(w["flow_ids"]))
        ),
    ),
    "save_answers": (
        {400, 403, 404, 409},
        lambda db, w, draw: in_uow(
            db,
            caller(draw, w),
            save_answers,
            draw(ids(w["flow_ids"])),
            draw(ids([w["questionnaire_id"]])),
            draw(
                st.one_of(
                    junk,
                    st.dictionaries(
                        st.one_of(st.sampled_from(w["question_ids"]), st.text(max_size=8)),
                        junk,
                        max_size=3,
                    ),
                )
            ),
        ),
    ),
    "list_flows": (
        {400, 403},
        lambda db, w, draw: in_uow(
            db,
            caller(draw, w),
            flows.list_flows,
            phases=draw(choices_or_junk(CollectionPhase)),
            statuses=draw(choices_or_junk(FlowStatus)),
            tiers=draw(choices_or_junk(AUTOMATION_TIERS)),
            name_contains=draw(st.one_of(st.text(max_size=250), junk)),
            limit=draw(st.one_of(st.integers(-5, 2000), junk)),
            offset=draw(st.one_of(st.integers(-5, 10**10), junk)),
        ),
    ),
    "page_gaps": (
        {400, 403, 404},
        lambda db, w, draw: in_uow(
            db,
            caller(draw, w),
            page_gaps,
            draw(ids(w["flow_ids"])),
            {
                "statuses": draw(choices_or_junk(GAP_STATUSES)),
                "priorities": draw(st.one_of(st.lists(st.integers(-1, 6), max_size=3), junk)),
                "categories": draw(choices_or_junk(GapCategory)),
            },
            limit=draw(st.one_of(st.integers(-5, 2000), junk)),
            offset=draw(st.one_of(st.integers(-5, 10**10), junk)),
        ),
    ),
    "list_audit_events": (
        {400, 403},
        lambda db, w, draw: in_uow(
            db,
            caller(draw, w),
            audit.list_events,
            flow_id=draw(st.one_of(st.none(), ids(w["flow_ids"]))),
            actions=draw(st.one_of(st.lists(st.text(max_size=70), max_size=2), junk)),
            user_id=draw(st.one_of(st.none(), ids([w["user_id"]]))),
            since=draw(
                st.one_of(st.none(), st.datetimes(), st.datetimes(timezones=st.timezones()), junk)
            ),
            limit=draw(st.one_of(st.integers(-5, 2000), junk)),
        ),
    ),
    "authenticate": (
        {400, 403, 429},
        lambda db, w, draw: on_accounts(
            db,
            authenticate,
            draw(st.one_of(st.just("dana@example.com"), st.emails(), junk)),
            draw(st.one_of(st.just("wrong password"), junk)),
        ),
    ),
    "context_for": (
        {400, 403},
        lambda db, w, draw: on_accounts(
            db,
            context_for,
            draw(ids([w["user_id"]])),
            draw(ids(w["tenant_ids"])),
            draw(ids(w["tenant_ids"])),
            sign_in_session_id=draw(ids([w["sign_in_session_id"]])),
        ),
    ),
}


COUNTED_SIGN_IN_TABLES = ("sign_in_throttles", "audit_events")


@pytest.mark.parametrize("entry_point", list(ENTRY_POINTS))
def test_malformed_input_is_a_typed_refusal_that_changes_nothing(
    db, owner_engine, world, dispatcher, entry_point
):
    statuses, call = ENTRY_POINTS[entry_point]
    outcomes: dict[str, int] = {}

    @SETTINGS
    @given(data=st.data())
    def check(data):
        before = fingerprint(db, owner_engine)
        keys_before, queued = job_keys(), len(dispatcher.jobs)
        try:
            call(db, world, data.draw)
        except CollectionError as refused:
            assert refused.status in statuses, (refused.status, refused.message)
            assert refused.message
            db.rollback()
            after = fingerprint(db, owner_engine)
            if entry_point == "authenticate" and refused.status in (403, 429):
                # A wrong password is counted (throttles) and audited: see test_identity.
                for table in COUNTED_SIGN_IN_TABLES:
                    before.pop(table), after.pop(table)
            assert after == before
            # Nothing written or changed; a rate-limit key may expire meanwhile on a slow machine.
            assert job_keys().items() <= keys_before.items()
            assert len(dispatcher.jobs) == queued
            outcomes[str(refused.status)] = outcomes.get(str(refused.status), 0) + 1
        else:
            outcomes["ok"] = outcomes.get("ok", 0) + 1

    check()
    # The generator reached refusals, not only happy paths.
    assert sum(count for key, count in outcomes.items() if key != "ok") > 0


# Text a person typed, at each place core takes it: (entry point, may it span lines).
TEXT_ENTRANCES: dict[str, tuple[bool, Callable]] = {
    "flow name": (
        False,
        lambda db, w, text: MasterFlowOrchestrator(db, w["a"]).create_flow(flow_name=text),
    ),
    "flow search": (
        False,
        lambda db, w, text: in_uow(db, w["a"], flows.list_flows, name_contains=text),
    ),
    "gap filter": (
        False,
        lambda db, w, text: in_uow(
            db, w["a"], page_gaps, w["flow_ids"][1], {"asset_name_contains": text}
        ),
    ),
    "asset filter": (
        False,
        lambda db, w, text: in_uow(db, w["a"], page_assets, {"name_contains": text}),
    ),
    "answer": (
        True,
        lambda db, w, text: in_uow(
            db,
            w["a"],
            save_answers,
            w["flow_ids"][1],
            w["questionnaire_id"],
            {w["question_ids"][0]: text},
        ),
    ),
    "sign-in email": (
        False,
        lambda db, w, text: on_accounts(
            db, authenticate, f"da{text}na@example.com", "wrong password"
        ),
    ),
    "single sign-on email": (
        False,
        lambda db, w, text: on_accounts(db, sign_in_oidc, f"da{text}na@example.com", "Dana"),
    ),
    "single sign-on display name": (
        False,
        lambda db, w, text: on_accounts(db, sign_in_oidc, "dana@example.com", text),
    ),
    "new account's display name": (
        False,
        lambda db, w, text: on_accounts(
            db,
            add_member,
            "lee@example.com",
            "analyst",
            db.get(ClientAccount, w["a"].client_account_id),
            password="correct horse battery",
            display_name=text,
        ),
    ),
}
CONTROL_CHARACTERS = {"NUL": "\x00", "bell": "\x07", "escape": "\x1b", "DEL": "\x7f", "CSI": "\x9b"}


@pytest.mark.parametrize("character", list(CONTROL_CHARACTERS))
@pytest.mark.parametrize("entrance", list(TEXT_ENTRANCES))
def test_a_control_character_in_text_is_a_400_that_changes_nothing(
    db, owner_engine, world, entrance, character
):
    multiline, call = TEXT_ENTRANCES[entrance]
    before = fingerprint(db, owner_engine)
    with pytest.raises(BadRequest, match="control character"):
        call(db, world, f"Wave{CONTROL_CHARACTERS[character]}1")
    db.rollback()
    assert fingerprint(db, owner_engine) == before


@pytest.mark.parametrize(
    "entrance", [name for name, (multiline, _) in TEXT_ENTRANCES.items() if not multiline]
)
def test_a_line_break_inside_one_line_of_text_is_a_400(db, world, entrance):
    _, call = TEXT_ENTRANCES[entrance]
    with pytest.raises(BadRequest, match="one line"):
        call(db, world, "Wave\n1")
