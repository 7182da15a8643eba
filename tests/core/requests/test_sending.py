"""Sending requests: a mail per reachable owner through a real SMTP server, resend rules."""

from urllib.parse import parse_qs, urlparse

import pytest

from core.kernel.errors import Conflict, Forbidden, ServiceUnavailable
from core.requests import links
from core.requests.assignment import QuestionFilter, assign_owner
from core.requests.progress import owner_progress, unassigned_questions
from core.requests.questions import flow_questions
from core.requests.sending import send_requests
from tests.core.requests.conftest import PUBLIC_URL
from tests.factories import in_uow
from tests.mail import link_in


def claim_of(link: str) -> links.LinkClaim | None:
    """What a link's token grants (its request and nonce), None when it grants nothing."""
    return links.read(parse_qs(urlparse(link).query)["token"][0])


def questions_of(db, owned):
    return in_uow(db, owned.ctx, lambda uow: flow_questions(uow, uow.flow(owned.flow_id)))


def test_one_mail_per_reachable_owner_holding_a_link_and_the_unassigned_counted(
    db, owned_flow, workers, mailbox
):
    owned = owned_flow()
    questions = questions_of(db, owned)
    owners = {q.owner.email for q in questions if q.owner}
    unassigned = sum(1 for q in questions if q.owner is None)

    summary = in_uow(db, owned.ctx, send_requests, owned.flow_id)

    assert owners == {"lee@x.org", "dana@x.org"}
    assert (summary.owners_mailed, summary.unassigned_questions) == (2, unassigned)
    assert unassigned >= 3
    assert sorted(str(m["To"]) for m in mailbox.messages) == ["Lee Park <lee@x.org>", "dana@x.org"]
    lee = mailbox.to("lee@x.org")[0]
    assert lee.get_content_type() == "text/plain"
    assert link_in(lee).startswith(f"{PUBLIC_URL}/answer?token=")
    assert "Wave 1 servers" in lee["Subject"]
    rows = {row.owner_email: row for row in in_uow(db, owned.ctx, owner_progress, owned.flow_id)}
    assert rows["lee@x.org"].delivery == "sent" and rows["lee@x.org"].last_mailed_at
    assert rows["lee@x.org"].questions == sum(
        1 for q in questions if q.owner and q.owner.email == "lee@x.org"
    )


def test_sending_again_mails_nobody_new_questions_mail_again_and_resend_mails_all(
    db, owned_flow, workers, mailbox
):
    owned = owned_flow()
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    first_lee_link = link_in(mailbox.to("lee@x.org")[0])

    again = in_uow(db, owned.ctx, send_requests, owned.flow_id)
    assert (again.owners_mailed, again.owners_up_to_date) == (0, 2)
    assert len(mailbox.messages) == 2

    nobody_owns = in_uow(db, owned.ctx, unassigned_questions, owned.flow_id)
    taken = in_uow(
        db, owned.ctx, assign_owner, owned.flow_id, "Lee <LEE@x.org>",
        QuestionFilter(question_ids=(nobody_owns[0].question_id,)),
    )  # fmt: skip
    assert taken == 1
    after_assigning = in_uow(db, owned.ctx, send_requests, owned.flow_id)
    assert after_assigning.owners_mailed == 1
    assert after_assigning.unassigned_questions == len(nobody_owns) - 1
    assert len(mailbox.to("lee@x.org")) == 2
    # New questions keep the link: the first one still opens the owner's page (a link is
    # signed anew with each mail, so its text differs by the time in its signature).
    assert claim_of(first_lee_link) is not None
    assert claim_of(link_in(mailbox.to("lee@x.org")[1])) == claim_of(first_lee_link)

    resent = in_uow(db, owned.ctx, send_requests, owned.flow_id, resend=True)
    assert resent.owners_mailed == 2
    assert claim_of(link_in(mailbox.to("lee@x.org")[2])) != claim_of(first_lee_link)


def test_everything_matching_a_filter_is_assigned_at_once(db, owned_flow, workers):
    owned = owned_flow()
    nobody_owns = in_uow(db, owned.ctx, unassigned_questions, owned.flow_id)
    matching = QuestionFilter(field_name="operating_system")
    assert in_uow(db, owned.ctx, assign_owner, owned.flow_id, "ops@x.org", matching) == 1
    left = in_uow(db, owned.ctx, unassigned_questions, owned.flow_id)
    assert len(left) == len(nobody_owns) - 1
    assert in_uow(db, owned.ctx, assign_owner, owned.flow_id, "ops@x.org", QuestionFilter()) == len(
        left
    )
    assert in_uow(db, owned.ctx, unassigned_questions, owned.flow_id) == []


def test_a_refused_mail_is_shown_per_owner_and_the_next_send_takes_it_up(
    db, owned_flow, workers, mailbox
):
    owned = owned_flow()
    mailbox.refuse.add("dana@x.org")
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    rows = {row.owner_email: row for row in in_uow(db, owned.ctx, owner_progress, owned.flow_id)}
    assert rows["dana@x.org"].delivery == "failed"
    assert "550" in rows["dana@x.org"].delivery_error
    assert rows["lee@x.org"].delivery == "sent"

    mailbox.refuse.clear()
    again = in_uow(db, owned.ctx, send_requests, owned.flow_id)
    assert again.owners_mailed == 1
    assert [str(m["To"]) for m in mailbox.messages] == ["Lee Park <lee@x.org>", "dana@x.org"]


def test_without_smtp_host_or_outside_collection_nothing_is_sent(
    db, owned_flow, workers, app_settings, make_member
):
    owned = owned_flow()
    manager = make_member(owned.ctx, "manager")
    with pytest.raises(Forbidden):
        in_uow(db, manager, send_requests, owned.flow_id)
    app_settings(SMTP_HOST="")
    with pytest.raises(ServiceUnavailable, match="SMTP_HOST"):
        in_uow(db, owned.ctx, send_requests, owned.flow_id)


def test_a_flow_not_collecting_answers_sends_nothing(db, tenant, make_assets, workers):
    from core.flows.orchestrator import MasterFlowOrchestrator

    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Fresh")
    with pytest.raises(Conflict):
        in_uow(db, tenant, send_requests, flow_id)
