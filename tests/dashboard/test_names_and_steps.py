"""What people see: names instead of ids, the phase stepper, waiting told from running."""

import re
import uuid
from datetime import timedelta

from sqlalchemy import update

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.state import CollectionFlowStateService
from core.questionnaires.generation import list_for_flow, store_answers
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionFlow, User
from db.types import utcnow
from tests.dashboard.conftest import no_exceptions, read, texts

STRANGE_NAME = "Dana *Ortiz* <b>bold</b>"


def table(app, column: str):
    """The dataframe (as pandas) that has this column."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def named(db, ctx, name: str) -> None:
    db.get(User, ctx.user_id).display_name = name
    db.commit()


def age(db, flow_id: str, days: int = 3) -> None:
    """Make a flow look untouched for `days`."""
    db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
        .values(updated_at=utcnow() - timedelta(days=days))
    )
    db.commit()


def test_the_flow_page_shows_seven_steps_with_state_time_and_mover(
    db, tenant, open_page, flow_with_gaps
):
    named(db, tenant, STRANGE_NAME)
    flow_id = flow_with_gaps(tenant)  # scanned: waits for questionnaires to be generated
    age(db, flow_id)
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    steps = table(app, "Moved by")
    assert list(steps["Phase"]) == [
        "Initialization",
        "Asset selection",
        "Gap analysis",
        "Questionnaire generation",
        "Manual collection",
        "Data validation",
        "Assessment",
    ]
    assert list(steps["State"]) == ["done"] * 3 + ["waiting for you"] + ["not reached"] * 3
    assert list(steps["Moved by"])[:4] == [STRANGE_NAME] * 4
    assert all(re.fullmatch(r"\d+ s", spent) for spent in steps["Time spent"][:4])
    # The mover's name is people's text: shown as typed, never as markdown or HTML.
    assert f"by {STRANGE_NAME}" in [read(caption.value) for caption in app.caption]
    # Waiting for a person is said so, and never "stuck", however long it waits.
    assert next(m.value for m in app.metric if m.label == "Status") == "waiting for you"
    assert not [text for text in texts(app, "warning") if "stuck" in text]
    # What the scan found, before the next step.
    assert any(
        re.fullmatch(r"The gap scan of 3 assets found 9 gaps, \d+ critical\.", text)
        for text in texts(app, "info")
    )


def test_the_flows_list_tells_waiting_from_stuck(db, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant)
    age(db, flow_id)
    app = open_page(tenant, "flows")
    no_exceptions(app)
    flows = table(app, "Attention")
    assert list(flows["Status"]) == ["waiting for you"]
    assert list(flows["Attention"]) == [""]


def test_the_validation_report_names_assets_and_priorities(db, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=2)
    service = CollectionChildFlowService(db, tenant)
    service.execute_phase(flow_id, "questionnaire_generation")
    with engagement_uow(tenant, db) as uow:
        child = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
        for questionnaire in list_for_flow(uow, child):
            answers = {q["id"]: "TBD" for q in questionnaire.questions}
            store_answers(uow, child, questionnaire.id, answers, tenant.user_id)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    problems = table(app, "What to fix")
    assert set(problems["Asset"]) == {
        questionnaire.title for questionnaire in _questionnaires(db, tenant, flow_id)
    }
    assert not any(re.fullmatch(r"[0-9a-f-]{36}", asset) for asset in problems["Asset"])
    assert "Critical (P1)" in set(problems["Priority"])


def _questionnaires(db, ctx, flow_id):
    with engagement_uow(ctx, db) as uow:
        return list_for_flow(uow, uow.flows.get_by_master_flow_id(uuid.UUID(flow_id)))


def test_the_audit_trail_names_users_and_flows_and_links_the_flow(
    db, make_tenant, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    named(db, admin, "Lee Park")
    flow_id = flow_with_gaps(admin, name="Wave <i>7</i>")
    app = open_page(admin, "admin")
    no_exceptions(app)
    trail = table(app, "Details")
    assert set(trail["User"]) == {"Lee Park"}
    assert set(trail["Flow"]) == {"Wave <i>7</i>"}
    link = f"flow?flow={flow_id}&engagement={admin.engagement_id}"
    assert all(shown.endswith(link) for shown in trail["Open"])
    assert not any("{" in details or flow_id in details for details in trail["Details"])
    assert "Flow name: Wave <i>7</i>" in " ".join(trail["Details"])


def test_flows_that_need_a_hand_link_their_flow_page(
    db, uow_of, make_tenant, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    flow_id = flow_with_gaps(admin, name="Broken wave")
    with uow_of(admin) as uow:
        CollectionFlowStateService(uow, admin).mark_failed(
            CollectionChildFlowService(uow, admin).get_by_master_flow_id(flow_id), "worker lost"
        )
    app = open_page(admin, "admin")
    no_exceptions(app)
    needing = table(app, "Trouble")
    assert list(needing["Flow"]) == ["Broken wave"]
    assert [link.rsplit("/", 1)[-1] for link in needing["Open"]] == [
        f"flow?flow={flow_id}&engagement={admin.engagement_id}"
    ]
