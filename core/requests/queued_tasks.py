"""What the workers' mail tasks run: delivery of a batch of requests, the escalation mail, and
the daily reminder run over every engagement that has requests."""

import logging
from dataclasses import dataclass

from sqlalchemy import select

from core.kernel.context import RequestContext
from core.kernel.errors import CollectionError
from core.requests.delivery import DeliveryResult, deliver_request_mails
from core.requests.escalation import deliver_escalation
from core.requests.reminders import ReminderSummary, remind_owners
from core.requests.sending import mail_is_set_up
from core.storage.account_unit_of_work import account_uow
from core.storage.unit_of_work import engagement_uow
from db.models import Engagement

logger = logging.getLogger(__name__)


class MailNotDelivered(RuntimeError):
    """Some mails of a task failed this time; raised so that the queue tries the task again."""


def run_queued_owner_mail(
    *, client_account_id: str, engagement_id: str, request_ids: list[str], final_attempt: bool
) -> DeliveryResult:
    result = deliver_request_mails(
        client_account_id, engagement_id, request_ids, final_attempt=final_attempt
    )
    if result.to_retry:
        raise MailNotDelivered(f"{result.to_retry} mail(s) not delivered yet; trying again")
    return result


def run_queued_escalation(
    *, client_account_id: str, engagement_id: str, request_ids: list[str]
) -> int:
    return deliver_escalation(client_account_id, engagement_id, request_ids)


@dataclass(frozen=True)
class EngagementReminders:
    engagement_id: str
    summary: ReminderSummary | None  # None: that engagement's run was refused (logged)


def remind_every_engagement() -> list[EngagementReminders]:
    """The daily run: `requests remind` for each engagement that is not archived."""
    if not mail_is_set_up():
        logger.warning("reminders: SMTP_HOST is not set, no reminder sent")
        return []
    with account_uow() as uow:
        engagements = uow.session.execute(
            select(Engagement.client_account_id, Engagement.id).where(
                Engagement.archived_at.is_(None)
            )
        ).all()
    done = []
    for client_account_id, engagement_id in engagements:
        ctx = RequestContext(client_account_id, engagement_id, role="admin")  # the operator
        try:
            with engagement_uow(ctx) as uow:
                summary: ReminderSummary | None = remind_owners(uow)
        except CollectionError as error:
            logger.warning("reminders of engagement %s: %s", engagement_id, error.message)
            summary = None
        done.append(EngagementReminders(str(engagement_id), summary))
    return done
