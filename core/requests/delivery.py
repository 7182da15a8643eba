"""Delivering request mails, on the workers: one SMTP connection for a task's mails.

Outcomes are committed every COMMIT_EVERY mails (a commit per mail costs a round trip and a
disk flush), so a worker stopped midway resends at most that many mails that went out. A refused or failed mail is kept as
`retrying` with the relay's words, then `failed` on the last attempt: shown per owner, and
taken up again by the next send.
"""

import smtplib
import uuid
from dataclasses import dataclass

from config.settings import get_settings
from core.kernel.context import RequestContext
from core.kernel.errors import ServiceUnavailable
from core.requests.links import LinkClaim, link_url
from core.requests.mail import MailSender, RequestMail, request_message
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionFlow, OwnerRequest
from db.types import utcnow

WAITING = ("queued", "retrying")
COMMIT_EVERY = 25
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True)
class DeliveryResult:
    sent: int
    failed: int  # for good: the last attempt
    to_retry: int


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]


def _mail_of(
    flows: dict[uuid.UUID, CollectionFlow | None],
    request: OwnerRequest,
    asset_names: dict[str, str],
    engagement: str,
) -> RequestMail:
    flow = flows.get(request.collection_flow_id)
    claim = LinkClaim(
        request.id, request.link_nonce, request.client_account_id, request.engagement_id
    )
    assets = sorted({asset_names[q] for q in request.question_ids if q in asset_names})
    return RequestMail(
        owner_email=request.owner_email,
        owner_name=request.owner_name,
        flow_name=flow.flow_name if flow is not None else "",
        engagement_name=engagement,
        open_questions=len(request.question_ids),
        assets=assets,
        link=link_url(claim),
        due_on=request.due_on,
        reminder=request.queued_kind == "reminder",
    )


def deliver_request_mails(
    client_account_id: str, engagement_id: str, request_ids: list[str], *, final_attempt: bool
) -> DeliveryResult:
    """Mail each of these requests that waits for its mail; what became of them."""
    ctx = RequestContext.for_queued_job(client_account_id, engagement_id, None)
    settings = get_settings()
    sent = failed = to_retry = 0
    with engagement_uow(ctx) as uow:
        ids = [uuid.UUID(request_id) for request_id in request_ids]
        waiting = [r for r in uow.owner_requests.by_ids(ids) if r.delivery_status in WAITING]
        if not waiting:
            return DeliveryResult(0, 0, 0)
        asset_names = uow.owner_requests.asset_names_of_questions(
            [question for request in waiting for question in request.question_ids]
        )
        engagement = uow.owner_requests.engagement_name()
        flows = {
            flow_id: uow.flows.get_by_id(flow_id)
            for flow_id in {request.collection_flow_id for request in waiting}
        }
        uow.session.expire_on_commit = False  # the batch's rows stay as this task wrote them
        try:
            sender: MailSender | None = MailSender(settings)
            not_set_up = None
        except ServiceUnavailable as error:
            sender, not_set_up = None, error
        try:
            for request in waiting:
                request.delivery_attempts += 1
                try:
                    if sender is None:
                        raise not_set_up or ServiceUnavailable("Mail is not set up")
                    sender.send(
                        request_message(
                            _mail_of(flows, request, asset_names, engagement), settings.smtp_from
                        )
                    )
                except (smtplib.SMTPException, OSError, ServiceUnavailable) as error:
                    request.delivery_error = _error_text(error)
                    request.delivery_status = "failed" if final_attempt else "retrying"
                    failed += final_attempt
                    to_retry += not final_attempt
                else:
                    now = utcnow()
                    request.delivery_status = "sent"
                    request.delivery_error = None
                    request.first_mailed_at = request.first_mailed_at or now
                    request.last_mailed_at = now
                    request.mails_sent += 1
                    sent += 1
                if (sent + failed + to_retry) % COMMIT_EVERY == 0:
                    uow.commit()
        finally:
            if sender is not None:
                sender.close()
    return DeliveryResult(sent, failed, to_retry)
