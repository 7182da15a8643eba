"""PostgreSQL's row-level security: a query that forgets its tenant filter still sees one tenant.

Runs as the application's role (tests/conftest.py); the owner only sets up and checks.
"""

import time
import uuid

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from core.enhancement import job_history
from core.enhancement.job_state import JobState
from core.enhancement.job_store import new_job_id
from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps
from core.inventory.mapping_choices import MappingChoices
from core.inventory.saved_mappings import save_mapping
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, NotFound
from core.questionnaires.answers import save_answers
from db.models import (
    Asset,
    AuditEvent,
    ClientAccount,
    CollectionDataGap,
    CollectionFlow,
    Engagement,
    GapCount,
    GapJob,
    GapJobAttempt,
    ImportMapping,
    MasterFlow,
    Questionnaire,
    QuestionnaireResponse,
)
from db.session import bind_tenant, create_db_engine
from tests.conftest import empty_database
from tests.factories import fingerprint, flow_in_manual_collection, in_uow

TENANT_TABLES = (
    Asset,
    MasterFlow,
    CollectionFlow,
    CollectionDataGap,
    Questionnaire,
    QuestionnaireResponse,
    AuditEvent,
    ImportMapping,
    GapJob,
    GapJobAttempt,
    GapCount,
)


@pytest.fixture(scope="module")
def pg_engines(postgresql_database_url, postgresql_owner_url):
    app, owner = create_db_engine(postgresql_database_url), create_db_engine(postgresql_owner_url)
    yield app, owner
    app.dispose()
    owner.dispose()


@pytest.fixture
def pg_db(pg_engines, make_tenant_on):
    app, owner = pg_engines
    with Session(app, expire_on_commit=False) as session:
        yield session
    empty_database(owner)


@pytest.fixture
def make_tenant_on():
    def make(db, role="analyst"):
        client = ClientAccount(name=f"Client {uuid.uuid4().hex[:8]}")
        db.add(client)
        db.flush()
        engagement = Engagement(client_account_id=client.id, name="Wave 1")
        db.add(engagement)
        db.commit()
        # No user: the policies are the subject here, not the membership check before them.
        return RequestContext(client.id, engagement.id, role=role)

    return make


def add_assets(db, ctx, count=2):
    bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
    assets = [
        Asset(
            client_account_id=ctx.client_account_id,
            engagement_id=ctx.engagement_id,
            name=f"srv-{uuid.uuid4().hex[:6]}",
            asset_type="server",
        )
        for _ in range(count)
    ]
    db.add_all(assets)
    db.commit()
    return assets


def add_gap_job(uow, flow_id) -> None:
    job = JobState.queued(new_job_id(), 1, None, time.time())
    job_history.record_submitted(uow, uow.flow(flow_id).id, job, None)


@pytest.fixture
def two_tenants(pg_db, make_tenant_on):
    """Tenants A and B, each with a flow waiting for answers, one answer given."""
    world = {}
    for name in ("a", "b"):
        ctx = make_tenant_on(pg_db, role="admin")
        assets = add_assets(pg_db, ctx)
        flow_id = flow_in_manual_collection(pg_db, ctx, assets, name=f"Flow {name}")
        questionnaire = in_uow(pg_db, ctx, flows.list_questionnaires, flow_id)[0]
        question_id = questionnaire.questions[0]["id"]
        in_uow(pg_db, ctx, save_answers, flow_id, str(questionnaire.id), {question_id: "x"})
        in_uow(pg_db, ctx, save_mapping, "RVTools", MappingChoices.parse({"VM": "name"}))
        in_uow(pg_db, ctx, add_gap_job, flow_id)
        # Plain values: under the other tenant's settings these rows cannot be refreshed.
        world[name] = (
            ctx,
            flow_id,
            (str(questionnaire.id), question_id),
            [str(asset.id) for asset in assets],
        )
    return world


def test_the_application_role_is_bound_by_the_policies(pg_db):
    role = pg_db.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
    ).one()
    assert tuple(role) == (False, False)
    owners = pg_db.scalars(
        text("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
    ).all()
    assert pg_db.scalar(text("SELECT current_user")) not in owners
    forced = dict(
        pg_db.execute(
            text(
                "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class"
                " WHERE relname = ANY(:names)"
            ),
            {"names": [model.__tablename__ for model in TENANT_TABLES]},
        ).all()
    )
    assert forced == {model.__tablename__: True for model in TENANT_TABLES}


def test_an_unscoped_query_sees_only_the_bound_tenant(pg_db, two_tenants):
    a, _flow_a, _q, _assets = two_tenants["a"]
    b, *_ = two_tenants["b"]
    pg_db.commit()
    bind_tenant(pg_db, a.client_account_id, a.engagement_id)
    flows_seen = pg_db.scalars(select(CollectionFlow)).all()
    assert flows_seen and {f.client_account_id for f in flows_seen} == {a.client_account_id}
    for model in TENANT_TABLES:
        rows = pg_db.scalars(select(model)).all()
        assert rows, model.__tablename__
    flow_ids = {f.id for f in flows_seen}
    assert {g.collection_flow_id for g in pg_db.scalars(select(CollectionDataGap))} <= flow_ids
    assert {q.collection_flow_id for q in pg_db.scalars(select(Questionnaire))} <= flow_ids
    tenants = {(e.client_account_id, e.engagement_id) for e in pg_db.scalars(select(AuditEvent))}
    assert tenants == {(a.client_account_id, a.engagement_id)}
    # Switching the session to B inside the same transaction switches what it sees.
    bind_tenant(pg_db, b.client_account_id, b.engagement_id)
    assert {f.client_account_id for f in pg_db.scalars(select(CollectionFlow))} == {
        b.client_account_id
    }


def test_a_session_bound_to_no_tenant_sees_nothing(pg_engines, two_tenants):
    app, _owner = pg_engines
    with Session(app) as unbound:
        for model in TENANT_TABLES:
            assert unbound.scalars(select(model)).all() == [], model.__tablename__


def test_writes_into_another_tenant_are_refused(pg_db, two_tenants):
    a, *_ = two_tenants["a"]
    b, flow_b, *_ = two_tenants["b"]
    pg_db.commit()
    bind_tenant(pg_db, a.client_account_id, a.engagement_id)
    # An unscoped update of B's flow touches nothing.
    changed = pg_db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_b))
        .values(flow_name="hijacked")
    )
    assert changed.rowcount == 0
    pg_db.rollback()
    # A row carrying B's tenant ids cannot be inserted under A's settings.
    bind_tenant(pg_db, a.client_account_id, a.engagement_id)
    pg_db.add(
        Asset(
            client_account_id=b.client_account_id,
            engagement_id=b.engagement_id,
            name="smuggled",
            asset_type="server",
        )
    )
    with pytest.raises(ProgrammingError, match="row-level security"):
        pg_db.commit()
    pg_db.rollback()


def test_every_use_case_with_the_other_tenants_ids_is_refused(pg_db, pg_engines, two_tenants):
    a, flow_a, _questionnaire_a, _assets_a = two_tenants["a"]
    _b, flow_b, (questionnaire_b, foreign_question), assets_b = two_tenants["b"]
    fresh_a = MasterFlowOrchestrator(pg_db, a).create_flow(flow_name="Fresh A")
    service = CollectionChildFlowService(pg_db, a)
    calls = {
        "get_flow": lambda: in_uow(pg_db, a, flows.get_flow, flow_b),
        "page_gaps": lambda: in_uow(pg_db, a, page_gaps, flow_b),
        "list_questionnaires": lambda: in_uow(pg_db, a, flows.list_questionnaires, flow_b),
        "execute_phase": lambda: service.execute_phase(flow_b, "manual_collection"),
        "resume_flow": lambda: MasterFlowOrchestrator(pg_db, a).resume_flow(flow_b),
        "save_answers to B's flow": lambda: in_uow(
            pg_db, a, save_answers, flow_b, questionnaire_b, {foreign_question: "y"}
        ),
        "save_answers to B's questionnaire through A's flow": lambda: in_uow(
            pg_db, a, save_answers, flow_a, questionnaire_b, {foreign_question: "y"}
        ),
    }
    _app, owner = pg_engines
    before = fingerprint(pg_db, owner)
    for name, call in calls.items():
        with pytest.raises(NotFound):
            call()
        assert fingerprint(pg_db, owner) == before, name
    # B's assets are not A's to select: refused, naming the field.
    with pytest.raises(BadRequest) as raised:
        service.execute_phase(fresh_a, "asset_selection", {"selected_asset_ids": assets_b})
    assert raised.value.field == "selected_asset_ids"
    assert fingerprint(pg_db, owner) == before
    assert CollectionChildFlowService(pg_db, a).get_by_master_flow_id(flow_b) is None
    assert [f.flow_name for f in in_uow(pg_db, a, flows.list_flows)] == ["Fresh A", "Flow a"]


def test_the_application_role_only_adds_audit_events(pg_db, two_tenants):
    a, *_ = two_tenants["a"]
    pg_db.commit()
    bind_tenant(pg_db, a.client_account_id, a.engagement_id)
    written = pg_db.scalar(select(func.count()).select_from(AuditEvent))
    assert written
    for statement in (
        "DELETE FROM audit_events",
        "UPDATE audit_events SET action = 'nothing happened'",
        "TRUNCATE audit_events",
    ):
        with pytest.raises(ProgrammingError, match="permission denied"):
            pg_db.execute(text(statement))
        pg_db.rollback()
        bind_tenant(pg_db, a.client_account_id, a.engagement_id)
    assert pg_db.scalar(select(func.count()).select_from(AuditEvent)) == written
