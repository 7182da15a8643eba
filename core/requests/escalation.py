"""The escalation mail to an engagement's managers, delivered on the workers."""

import uuid

from config.settings import get_settings
from core.kernel.context import RequestContext
from core.requests.mail import MailSender, escalation_message
from core.requests.reminders import unanswered_by_request
from core.storage.unit_of_work import engagement_uow


def deliver_escalation(client_account_id: str, engagement_id: str, request_ids: list[str]) -> int:
    """Mail the managers the overdue owners of these requests; how many managers were mailed.
    A failure raises, for the worker to try again."""
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, None)
    settings = get_settings()
    with engagement_uow(ctx) as uow:
        requests = uow.owner_requests.by_ids([uuid.UUID(item) for item in request_ids])
        managers = uow.owner_requests.manager_emails()
        left = unanswered_by_request(uow, requests)
        flows = {r.collection_flow_id: uow.flows.get_by_id(r.collection_flow_id) for r in requests}
        lines = []
        for request in sorted(requests, key=lambda r: r.owner_email):
            flow = flows.get(request.collection_flow_id)
            due = request.due_on.isoformat() if request.due_on else "no date"
            lines.append(
                f"{request.owner_email}: {left.get(request.id, 0)} question(s) open in"
                f" {flow.flow_name if flow else 'a closed flow'}, due {due}"
            )
        engagement = uow.owner_requests.engagement_name()
    if not managers or not lines:
        return 0
    with MailSender(settings) as sender:
        sender.send(escalation_message(managers, lines, engagement, settings.smtp_from))
    return len(managers)
