"""Sending requests: one mail per reachable owner with open questions of a flow.

Sending again mails nobody whose live request already holds the same questions and whose last
mail went out; new questions, an expired link or a failed delivery make a new mail; `resend`
mails everyone anyway and revokes their old links. The rows are written first and the mails
handed to the workers after the commit, so a request is never lost to a queue or a relay that
is down: it stays queued (or failed) and the next send takes it up. The page has it done by a
worker as a send run (`send_runs`); the command line runs it in its own process.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from config.settings import get_settings
from core.access import audit
from core.catalogue.labels import phase_words
from core.kernel.dispatch import get_dispatcher
from core.kernel.errors import Conflict, NotFound, ServiceUnavailable
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase
from core.requests.links import new_nonce
from core.requests.questions import FlowQuestion, by_owner, flow_questions, owner_names
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow, OwnerRequest
from db.types import utcnow

MAILS_PER_TASK = 200  # one SMTP connection serves a task's mails
# Owners prepared per transaction, a step of the progress bar: whole mail tasks when all are mailed.
OWNERS_PER_BATCH = 3 * MAILS_PER_TASK
Progress = Callable[[int, int], None]  # owners prepared, of owners with open questions


@dataclass(frozen=True)
class SendSummary:
    owners_mailed: int
    owners_up_to_date: int  # their live request already holds the same questions
    unassigned_questions: int  # open questions with no reachable owner


def mail_is_set_up() -> bool:
    return bool(get_settings().smtp_host)


def collecting_flow(uow: UnitOfWork, flow_id: str) -> CollectionFlow:
    """The flow, locked, if it takes answers now: 404 when it is not the engagement's, 409 when
    it stands in another phase. Locked: two sends of one flow take turns batch by batch (the
    second finds the first's rows)."""
    flow = uow.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"), for_update=True)
    if flow is None:
        raise NotFound("Flow not found")
    if flow.current_phase != CollectionPhase.MANUAL_COLLECTION:
        raise Conflict(
            "requests go out in manual collection; the flow is in"
            f" {phase_words(flow.current_phase)}"
        )
    return flow


def renew_link(request: OwnerRequest, now: datetime) -> None:
    """A new nonce (every older link stops working) and a new REQUEST_DAYS of life."""
    request.link_nonce = new_nonce()
    request.link_expires_at = now + timedelta(days=get_settings().request_days)


def queue_mail(request: OwnerRequest, kind: str) -> None:
    request.delivery_status = "queued"
    request.delivery_attempts = 0
    request.delivery_error = None
    request.queued_kind = kind


def send_requests(
    uow: UnitOfWork,
    flow_id: str,
    *,
    due_on: date | None = None,
    resend: bool = False,
    progress: Progress | None = None,
) -> SendSummary:
    """Mail every reachable owner the open questions of the flow that are theirs.

    Owners are prepared OWNERS_PER_BATCH at a time, each batch committed and its mails handed
    to the workers before the next: `progress(prepared, owners)` hears of each. A send stopped
    midway leaves whole batches; sending again takes up the rest under the resend rules.
    """
    uow.require(Action.SEND_REQUESTS)
    if not mail_is_set_up():
        raise ServiceUnavailable("Mail is not set up: set SMTP_HOST to send requests")
    flow = collecting_flow(uow, flow_id)
    questions = flow_questions(uow, flow)
    unanswered = [question for question in questions if not question.answered]
    owned = sorted(by_owner(unanswered).items())
    names = owner_names(questions)
    unassigned = sum(1 for question in unanswered if question.owner is None)
    uow.commit()  # what was read is read: SQLite's one write lock is free for the progress
    report = progress or _unheard
    report(0, len(owned))
    mailed = up_to_date = 0
    for start in range(0, max(len(owned), 1), OWNERS_PER_BATCH):
        flow = collecting_flow(uow, flow_id)  # locked again for the batch's transaction
        batch = owned[start : start + OWNERS_PER_BATCH]
        to_mail, kept = _prepare(uow, flow, dict(batch), names, due_on=due_on, resend=resend)
        mailed, up_to_date = mailed + len(to_mail), up_to_date + kept
        if start + OWNERS_PER_BATCH >= len(owned):
            audit.record(
                uow, "owner_requests_sent", flow_id=flow.flow_id, owners=mailed,
                unassigned_questions=unassigned, resend=resend,
            )  # fmt: skip
        uow.commit()
        hand_to_workers(uow, to_mail)
        report(start + len(batch), len(owned))
    return SendSummary(mailed, up_to_date, unassigned)


def _unheard(prepared: int, owners: int) -> None:
    return None


def _prepare(
    uow: UnitOfWork,
    flow: CollectionFlow,
    owned: dict[str, list[FlowQuestion]],
    names: dict[str, str | None],
    *,
    due_on: date | None,
    resend: bool,
) -> tuple[list[uuid.UUID], int]:
    """A batch of owners' requests written (not committed): the ones to mail, and how many
    owners were up to date already."""
    emails = list(owned)  # in order: the batch is a range of addresses
    existing = (
        {
            request.owner_email: request
            for request in uow.owner_requests.for_owner_range(flow.id, emails[0], emails[-1])
        }
        if emails
        else {}
    )
    now = utcnow()
    to_mail: list[uuid.UUID] = []
    up_to_date = 0
    for email, owned_questions in owned.items():
        question_ids = sorted(question.id for question in owned_questions)
        request = existing.get(email)
        if request is None:
            request = OwnerRequest(
                id=uuid.uuid4(), collection_flow_id=flow.id, owner_email=email,
                question_ids=question_ids, mails_sent=0,
            )  # fmt: skip
            renew_link(request, now)
            uow.owner_requests.add(request)
        else:
            live = request.link_expires_at > now
            nothing_new = set(question_ids) <= set(request.question_ids)
            if not resend and live and nothing_new and request.delivery_status == "sent":
                up_to_date += 1
                continue
            if resend or not live:
                renew_link(request, now)
            # Every question ever asked of the owner: answered ones still count as answered.
            request.question_ids = sorted(set(request.question_ids) | set(question_ids))
        request.owner_name = names.get(email) or request.owner_name
        if due_on is not None:
            request.due_on = due_on
            request.escalated_at = None
        queue_mail(request, "request")
        to_mail.append(request.id)
    return to_mail, up_to_date


def hand_to_workers(uow: UnitOfWork, request_ids: list[uuid.UUID]) -> None:
    """Queue the mails of these (committed) requests, a task per MAILS_PER_TASK."""
    try:
        for start in range(0, len(request_ids), MAILS_PER_TASK):
            get_dispatcher().enqueue_owner_mail(
                client_account_id=str(uow.ctx.client_account_id),
                engagement_id=str(uow.ctx.engagement_id),
                request_ids=[str(item) for item in request_ids[start : start + MAILS_PER_TASK]],
            )
    except ServiceUnavailable:
        raise
    except Exception as error:
        raise ServiceUnavailable(
            "The requests are saved but the workers' queue cannot be reached; send again later"
        ) from error
