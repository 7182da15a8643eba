"""Which flows wait on their owners: one grouped read of the requests (both backends)."""

import uuid

import pytest

from core.questionnaires.generation import list_for_flow
from core.requests.sending import renew_link
from core.requests.waiting import owners_asked
from db.models import OwnerRequest, QuestionnaireResponse
from db.types import utcnow
from tests.factories import flow_in_manual_collection, in_uow

pytestmark = pytest.mark.both_backends
HOLES = {"operating_system": None, "environment": None}


def ask_owners(uow, flow_id: str, answered_by: str) -> None:
    """Requests sent to two owners of the flow; one of them answered a question by their link."""
    flow = uow.flow(flow_id)
    for email in ("lee@x.org", "dana@x.org"):
        request = OwnerRequest(
            id=uuid.uuid4(),
            collection_flow_id=flow.id,
            owner_email=email,
            question_ids=[],
            mails_sent=1,
        )
        renew_link(request, utcnow())
        uow.owner_requests.add(request)
    questionnaire = list_for_flow(uow, flow)[0]
    uow.session.add(
        QuestionnaireResponse(
            questionnaire_id=questionnaire.id,
            question_id=questionnaire.questions[0]["id"],
            value={"answer": "Linux", "answered_via_link": answered_by},
        )
    )


def test_owners_asked_counts_owners_and_who_answered_by_link(db, make_tenant, make_assets):
    ctx = make_tenant()
    asked = flow_in_manual_collection(db, ctx, make_assets(ctx, 1, **HOLES), name="Asked")
    quiet = flow_in_manual_collection(db, ctx, make_assets(ctx, 1, **HOLES), name="Quiet")
    in_uow(db, ctx, ask_owners, asked, "lee@x.org")
    ids = {name: in_uow(db, ctx, lambda uow, f=name: uow.flow(f).id) for name in (asked, quiet)}
    assert in_uow(db, ctx, owners_asked, list(ids.values())) == {ids[asked]: (2, 1)}
    assert in_uow(db, ctx, owners_asked, []) == {}
    # Another engagement reads nothing of these flows.
    assert in_uow(db, make_tenant(), owners_asked, list(ids.values())) == {}
