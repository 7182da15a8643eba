"""When a flow is stuck: running, no live job, and no update for a while (DESIGN.md, Phases)."""

from datetime import datetime, timedelta
from typing import Any

from core.flows.phases import FlowStatus
from db.types import utcnow

STUCK_AFTER = timedelta(minutes=10)
LIVE_JOB_STATUSES = ("queued", "running")


def is_stuck(
    status: str, updated_at: datetime, job: dict[str, Any] | None, now: datetime | None = None
) -> bool:
    """A running flow with no live (unstalled) job whose last update is older than STUCK_AFTER."""
    if status != FlowStatus.RUNNING:
        return False
    if job and job.get("status") in LIVE_JOB_STATUSES and not job.get("stalled"):
        return False
    return (now or utcnow()) - updated_at > STUCK_AFTER


def may_be_stuck(status: str, updated_at: datetime, now: datetime | None = None) -> bool:
    """Worth asking for the flow's job at all (cheap test before a job-key read)."""
    return is_stuck(status, updated_at, None, now)
