"""The owner's link: only their questions, answers checked and recorded as theirs; any bad
link opens nothing and says one sentence."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import update

from core.kernel.errors import BadRequest
from core.questionnaires.answers import list_answers
from core.requests.link_answers import REFUSED, LinkRefused, open_link, save_by_link
from core.requests.progress import owner_progress, response_figures
from core.requests.sending import send_requests
from db.models import OwnerRequest
from db.types import utcnow
from tests.factories import in_uow
from tests.mail import link_in


def token_of(mailbox, address, index=-1):
    return parse_qs(urlparse(link_in(mailbox.to(address)[index])).query)["token"][0]


@pytest.fixture
def mailed(db, owned_flow, workers, mailbox):
    owned = owned_flow()
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    return owned


def test_the_link_opens_that_owners_questions_only_and_records_the_opening(db, mailed, mailbox):
    page = open_link(token_of(mailbox, "dana@x.org"))
    assert page.owner_email == "dana@x.org" and page.flow_name == "Wave 1 servers"
    assert [q.question["field_name"] for q in page.open_questions] == ["environment"]
    lee = open_link(token_of(mailbox, "lee@x.org"))
    assert "environment" in {q.question["field_name"] for q in lee.open_questions}
    assert all(q.asset_name for q in lee.open_questions)
    rows = {row.owner_email: row for row in in_uow(db, mailed.ctx, owner_progress, mailed.flow_id)}
    assert rows["dana@x.org"].link_opened_at is not None


def test_answers_are_checked_saved_as_the_owners_by_link_and_what_is_left_shown(
    db, mailed, mailbox
):
    token = token_of(mailbox, "lee@x.org")
    page = open_link(token)
    by_field = {}
    for question in page.open_questions:
        by_field.setdefault(question.question["field_name"], question.question["id"])
    answers = {by_field["operating_system"]: "Linux", by_field["cpu_cores"]: "-4"}

    result = save_by_link(token, answers)

    assert result.saved == 1
    assert list(result.problems) == [by_field["cpu_cores"]]
    assert len(result.page.open_questions) == len(page.open_questions) - 1
    assert result.page.answered == 1
    stored = [
        given
        for answers_of in in_uow(db, mailed.ctx, list_answers, mailed.flow_id).values()
        for question_id, given in answers_of.items()
        if question_id == by_field["operating_system"]
    ]
    assert stored[0]["answer"] == "Linux"
    figures = in_uow(db, mailed.ctx, response_figures)
    assert (figures.owners_asked, figures.owners_answered) == (2, 1)
    assert figures.response_rate == 0.5 and figures.median_hours_to_answer is not None


def test_a_link_never_answers_another_owners_question(db, mailed, mailbox):
    dana = open_link(token_of(mailbox, "dana@x.org"))
    lee_question = next(
        q.question["id"]
        for q in open_link(token_of(mailbox, "lee@x.org")).open_questions
        if q.question["field_name"] == "operating_system"
    )
    assert lee_question not in {q.question["id"] for q in dana.open_questions}
    with pytest.raises(BadRequest):
        save_by_link(token_of(mailbox, "dana@x.org"), {lee_question: "Linux"})


def test_tampered_revoked_and_expired_links_open_nothing_with_one_sentence(db, mailed, mailbox):
    token = token_of(mailbox, "lee@x.org")
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    for bad in (tampered, "", "x" * 600, None, token + "."):
        with pytest.raises(LinkRefused) as refused:
            open_link(bad)
        assert refused.value.message == REFUSED

    in_uow(db, mailed.ctx, send_requests, mailed.flow_id, resend=True)
    with pytest.raises(LinkRefused):
        open_link(token)  # revoked by the resend
    with pytest.raises(LinkRefused):
        save_by_link(token, {})
    fresh = token_of(mailbox, "lee@x.org")
    assert open_link(fresh).owner_email == "lee@x.org"

    db.execute(update(OwnerRequest).values(link_expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    with pytest.raises(LinkRefused):
        open_link(fresh)
