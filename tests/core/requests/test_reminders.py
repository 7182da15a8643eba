"""Reminders after REMINDER_DAYS, at most one a day, and one escalation to managers when due."""

from datetime import date, timedelta

from sqlalchemy import update

from core.requests.reminders import remind_owners
from core.requests.sending import send_requests
from db.models import OwnerRequest
from db.types import utcnow
from tests.factories import in_uow


def age_mails(db, days):
    db.execute(update(OwnerRequest).values(last_mailed_at=utcnow() - timedelta(days=days)))
    db.commit()


def test_a_reminder_follows_after_reminder_days_and_not_twice_a_day(
    db, owned_flow, workers, mailbox
):
    owned = owned_flow()
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    assert in_uow(db, owned.ctx, remind_owners).reminded == 0  # mailed just now

    age_mails(db, 3)
    summary = in_uow(db, owned.ctx, remind_owners)
    assert summary.reminded == 2
    reminders = [m for m in mailbox.messages if m["Subject"].startswith("Reminder:")]
    assert sorted(str(m["To"]) for m in reminders) == ["Lee Park <lee@x.org>", "dana@x.org"]
    assert in_uow(db, owned.ctx, remind_owners).reminded == 0  # the same day again
    assert len(mailbox.messages) == 4


def test_after_the_due_date_managers_get_one_mail_listing_the_overdue_owners(
    db, owned_flow, workers, mailbox, make_member
):
    owned = owned_flow()
    manager = make_member(owned.ctx, "manager")
    due = date.today() - timedelta(days=1)
    in_uow(db, owned.ctx, send_requests, owned.flow_id, due_on=due)

    summary = in_uow(db, owned.ctx, remind_owners)

    assert (summary.escalated_owners, summary.managers) == (2, 1)
    escalations = [m for m in mailbox.messages if m["Subject"].startswith("Overdue answers")]
    assert len(escalations) == 1
    body = escalations[0].get_body(("plain",)).get_content()
    assert "lee@x.org" in body and "dana@x.org" in body and due.isoformat() in body
    manager_email = in_uow(db, manager, lambda uow: uow.owner_requests.manager_emails())
    assert escalations[0]["To"] == manager_email[0]
    age_mails(db, 5)
    again = in_uow(db, owned.ctx, remind_owners)
    assert again.escalated_owners == 0
    assert len([m for m in mailbox.messages if m["Subject"].startswith("Overdue")]) == 1


def test_the_daily_run_on_the_workers_reminds_in_every_engagement(
    db, owned_flow, make_tenant, workers, mailbox
):
    from core.requests.queued_tasks import remind_every_engagement

    owned = owned_flow()
    make_tenant()  # an engagement with no request: nothing to do there
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    age_mails(db, 4)
    done = {run.engagement_id: run.summary for run in remind_every_engagement()}
    assert done[str(owned.ctx.engagement_id)].reminded == 2
    assert sum(summary.reminded for summary in done.values() if summary) == 2
    assert len(mailbox.messages) == 4
