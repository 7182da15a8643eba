"""Requests and assignments are tenant rows: another tenant, or none, sees none of them."""

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.requests.assignment import QuestionFilter, assign_owner
from core.requests.link_answers import LinkRefused, open_link
from core.requests.sending import send_requests
from db.models import OwnerRequest, QuestionAssignment
from db.session import bind_tenant
from tests.factories import in_uow
from tests.mail import link_in

pytestmark = pytest.mark.postgres_only


def test_another_tenant_sees_no_request_and_a_link_names_its_own_tenant(
    db, engine, owned_flow, make_tenant, workers, mailbox
):
    owned = owned_flow()
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    in_uow(db, owned.ctx, assign_owner, owned.flow_id, "ops@x.org", QuestionFilter())
    other = make_tenant()
    with Session(engine) as session:
        bind_tenant(session, other.client_account_id, other.engagement_id)
        assert session.scalars(select(OwnerRequest)).all() == []
        assert session.scalars(select(QuestionAssignment)).all() == []
    with Session(engine) as unbound:
        assert unbound.scalars(select(OwnerRequest)).all() == []
    with Session(engine) as session:
        bind_tenant(session, owned.ctx.client_account_id, owned.ctx.engagement_id)
        assert len(session.scalars(select(OwnerRequest)).all()) == 2
    # A genuine link opens its own tenant's request only.
    assert open_link(link_in(mailbox.messages[0]).split("token=")[1]).owner_email
    with pytest.raises(LinkRefused):
        open_link("not-a-token")
