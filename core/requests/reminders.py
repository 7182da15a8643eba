"""Reminders and escalation: what the daily worker task and `requests remind` both run.

A reminder goes to each owner with unanswered questions whose last mail is REMINDER_DAYS old or
more (a failed mail is tried again a day later); after the due date the engagement's managers
get one mail listing the overdue owners, each owner listed once. As REMINDER_DAYS is a day at
least, no owner gets more than one reminder a day.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from config.settings import get_settings
from core.access import audit
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import ServiceUnavailable
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase
from core.requests.questions import flow_questions
from core.requests.sending import hand_to_workers, mail_is_set_up, queue_mail, renew_link
from core.storage.unit_of_work import UnitOfWork
from db.models import OwnerRequest
from db.types import utcnow


@dataclass(frozen=True)
class ReminderSummary:
    reminded: int
    escalated_owners: int
    managers: int  # how many managers the escalation goes to


def unanswered_by_request(uow: UnitOfWork, requests: list[OwnerRequest]) -> dict[uuid.UUID, int]:
    """How many of each request's questions are still open and unanswered (flows collecting)."""
    left: dict[uuid.UUID, int] = {}
    for flow_id in {request.collection_flow_id for request in requests}:
        flow = uow.flows.get_by_id(flow_id)
        if flow is None or flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
            continue
        open_ids = {q.id for q in flow_questions(uow, flow) if not q.answered}
        for request in requests:
            if request.collection_flow_id == flow_id:
                left[request.id] = len(open_ids.intersection(request.question_ids))
    return left


def _due_for_reminder(request: OwnerRequest, now: datetime) -> bool:
    if request.delivery_status == "sent":
        last = request.last_mailed_at or request.updated_at
        return last <= now - timedelta(days=get_settings().reminder_days)
    if request.delivery_status == "failed":
        return request.updated_at <= now - timedelta(days=1)
    return False  # queued or retrying: a mail is on its way


def remind_owners(uow: UnitOfWork, today: date | None = None) -> ReminderSummary:
    """Queue the reminders and the escalation due now in this engagement."""
    uow.require(Action.SEND_REQUESTS)
    if not mail_is_set_up():
        raise ServiceUnavailable("Mail is not set up: set SMTP_HOST to send reminders")
    now = utcnow()
    today = today or now.date()
    requests = uow.owner_requests.of_engagement()
    left = unanswered_by_request(uow, requests)
    to_remind: list[uuid.UUID] = []
    overdue: list[uuid.UUID] = []
    for request in requests:
        if not left.get(request.id):
            continue
        if _due_for_reminder(request, now):
            if request.link_expires_at <= now + timedelta(days=1):
                renew_link(request, now)  # a reminder with a dead link helps nobody
            queue_mail(request, "reminder")
            to_remind.append(request.id)
        if request.due_on is not None and request.due_on < today and request.escalated_at is None:
            request.escalated_at = now
            overdue.append(request.id)
    managers = uow.owner_requests.manager_emails() if overdue else []
    if to_remind or overdue:
        audit.record(
            uow, "owner_reminders_sent", reminded=len(to_remind), escalated_owners=len(overdue)
        )
    uow.commit()
    hand_to_workers(uow, to_remind)
    if overdue and managers:
        get_dispatcher().enqueue_escalation(
            client_account_id=str(uow.ctx.client_account_id),
            engagement_id=str(uow.ctx.engagement_id),
            request_ids=[str(request_id) for request_id in overdue],
        )
    return ReminderSummary(len(to_remind), len(overdue), len(managers))
