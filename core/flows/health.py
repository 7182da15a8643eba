"""When a flow is stuck: running, no live job, and no update for a while (DESIGN.md, Phases)."""

from datetime import datetime, timedelta

from core.kernel.phases import FlowStatus
from db.types import utcnow

STUCK_AFTER = timedelta(minutes=10)


def is_stuck(
    status: str, updated_at: datetime, has_live_job: bool = False, now: datetime | None = None
) -> bool:
    """A running flow with no live (queued or running, unstalled) job, and no update for
    longer than STUCK_AFTER."""
    if status != FlowStatus.RUNNING or has_live_job:
        return False
    return (now or utcnow()) - updated_at > STUCK_AFTER


def may_be_stuck(status: str, updated_at: datetime, now: datetime | None = None) -> bool:
    """Worth asking for the flow's job at all (cheap test before a job-key read)."""
    return is_stuck(status, updated_at, False, now)
