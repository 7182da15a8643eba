"""Huey tasks: unpack primitives, call core, return something small.

Nothing here registers itself: `register_tasks(huey)` binds the tasks to an instance and
returns the dispatcher that enqueues them (jobs/huey_app.py does so for the application).
"""

import logging
from dataclasses import dataclass
from typing import Any

from huey import Huey, crontab
from huey.api import Task
from huey.signals import SIGNAL_INTERRUPTED

from core.enhancement.queued_tasks import run_queued_gap_enhancement, run_queued_phase
from core.flows.phase_run import EXPORT, SEND_REQUESTS
from core.inventory.export_runs import run_queued_export
from core.requests.queued_tasks import (
    remind_every_engagement,
    run_queued_escalation,
    run_queued_owner_mail,
)
from core.requests.send_runs import run_queued_send
from jobs.heartbeats import report_heartbeats

logger = logging.getLogger(__name__)


def gap_enhancement_worker(
    client_account_id: str,
    engagement_id: str,
    collection_flow_id: str,
    flow_id: str,
    selected_gaps: list[dict[str, Any]],
    job_id: str,
) -> str:
    return run_queued_gap_enhancement(
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        collection_flow_id=collection_flow_id,
        flow_id=flow_id,
        selected_gaps=selected_gaps,
        job_id=job_id,
    )


def run_flow_phase(
    client_account_id: str,
    engagement_id: str,
    flow_id: str,
    phase_name: str,
    user_id: str | None,
    collection_flow_id: str | None = None,
    run_id: str | None = None,
    phase_input: dict[str, Any] | None = None,
) -> str:
    if phase_name == EXPORT and run_id is not None and collection_flow_id is not None:
        return run_queued_export(
            client_account_id=client_account_id,
            engagement_id=engagement_id,
            collection_flow_id=collection_flow_id,
            flow_id=flow_id,
            run_id=run_id,
        )
    if phase_name == SEND_REQUESTS and run_id is not None and collection_flow_id is not None:
        return run_queued_send(
            client_account_id=client_account_id,
            engagement_id=engagement_id,
            collection_flow_id=collection_flow_id,
            flow_id=flow_id,
            run_id=run_id,
            phase_input=phase_input,
        )
    return run_queued_phase(
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        flow_id=flow_id,
        phase_name=phase_name,
        user_id=user_id,
        collection_flow_id=collection_flow_id,
        run_id=run_id,
        phase_input=phase_input,
    )


# A relay that refuses for a while (greylisting, an outage) gets four tries over 15 minutes;
# what still fails is shown per owner as failed and taken up by the next send or reminder.
MAIL_RETRIES = 3
MAIL_RETRY_SECONDS = 300
# The daily reminder run, in the workers' clock (UTC).
REMINDER_HOUR_UTC = 7


def owner_mail(
    client_account_id: str, engagement_id: str, request_ids: list[str], task: Task | None = None
) -> str:
    result = run_queued_owner_mail(
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        request_ids=request_ids,
        # Huey counts retries down: none left, this is the last attempt.
        final_attempt=task is None or not task.retries,
    )
    return f"sent {result.sent}, failed {result.failed}"


def escalation_mail(client_account_id: str, engagement_id: str, request_ids: list[str]) -> int:
    return run_queued_escalation(
        client_account_id=client_account_id, engagement_id=engagement_id, request_ids=request_ids
    )


def remind_owners_daily() -> int:
    return sum(1 for done in remind_every_engagement() if done.summary is not None)


@dataclass(frozen=True)
class HueyDispatcher:
    """core's JobDispatcher on top of Huey tasks."""

    gap_enhancement: Any
    flow_phase: Any
    owner_mail: Any = None
    escalation_mail: Any = None

    def enqueue_gap_enhancement(self, **primitives: Any) -> None:
        self.gap_enhancement(**primitives)

    def enqueue_phase(self, **primitives: Any) -> None:
        self.flow_phase(**primitives)

    def enqueue_owner_mail(self, **primitives: Any) -> None:
        self.owner_mail(**primitives)

    def enqueue_escalation(self, **primitives: Any) -> None:
        self.escalation_mail(**primitives)

    def waiting(self) -> tuple[int, float | None]:
        """Tasks on the queue, and when the next one to run (the oldest) was queued."""
        huey: Huey = self.gap_enhancement.huey
        depth = huey.pending_count()
        oldest = huey.storage.enqueued_items(1) if depth else []
        enqueued_at = getattr(huey.serializer, "enqueued_at", None)
        return depth, enqueued_at(oldest[0]) if oldest and enqueued_at else None


def register_tasks(huey: Huey) -> HueyDispatcher:
    """Bind the tasks to a Huey instance and return the dispatcher that enqueues them."""
    dispatcher = HueyDispatcher(
        gap_enhancement=huey.task(name="gap_enhancement_worker")(gap_enhancement_worker),
        flow_phase=huey.task(name="run_flow_phase")(run_flow_phase),
        owner_mail=huey.task(
            name="owner_mail", retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_SECONDS, context=True
        )(owner_mail),
        escalation_mail=huey.task(
            name="escalation_mail", retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_SECONDS
        )(escalation_mail),
    )
    huey.periodic_task(crontab(minute="0", hour=str(REMINDER_HOUR_UTC)), name="remind_owners")(
        remind_owners_daily
    )

    report_heartbeats(huey)

    @huey.signal(SIGNAL_INTERRUPTED)
    def requeue_interrupted(signal: str, task: Task, *args: object, **kwargs: object) -> None:
        # The consumer stopped mid-task: put it back; it resumes from its job key.
        logger.warning("task %s was interrupted; putting it back on the queue", task.id)
        huey.enqueue(task)

    return dispatcher
