"""Huey tasks: unpack primitives, call core, return something small.

Nothing here registers itself: `register_tasks(huey)` binds the tasks to an instance and
returns the dispatcher that enqueues them (jobs/huey_app.py does so for the application).
"""

import logging
from dataclasses import dataclass
from typing import Any

from huey import Huey
from huey.api import Task
from huey.signals import SIGNAL_INTERRUPTED

from core.enhancement.queued_tasks import run_queued_gap_enhancement, run_queued_phase
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
    client_account_id: str, engagement_id: str, flow_id: str, phase_name: str, user_id: str | None
) -> str:
    return run_queued_phase(
        client_account_id=client_account_id,
        engagement_id=engagement_id,
        flow_id=flow_id,
        phase_name=phase_name,
        user_id=user_id,
    )


@dataclass(frozen=True)
class HueyDispatcher:
    """core's JobDispatcher on top of Huey tasks."""

    gap_enhancement: Any
    flow_phase: Any

    def enqueue_gap_enhancement(self, **primitives: Any) -> None:
        self.gap_enhancement(**primitives)

    def enqueue_phase(self, **primitives: Any) -> None:
        self.flow_phase(**primitives)

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
    )

    report_heartbeats(huey)

    @huey.signal(SIGNAL_INTERRUPTED)
    def requeue_interrupted(signal: str, task: Task, *args: object, **kwargs: object) -> None:
        # The consumer stopped mid-task: put it back; it resumes from its job key.
        logger.warning("task %s was interrupted; putting it back on the queue", task.id)
        huey.enqueue(task)

    return dispatcher
