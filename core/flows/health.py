"""What a flow waits on, and when it is stuck: running on the system's side, no live job, and
no update for a while (DESIGN.md, Phases). A flow waiting for a person is never stuck."""

from datetime import datetime, timedelta

from core.kernel.phases import WAITS_FOR_PEOPLE, CollectionPhase, FlowStatus
from db.types import utcnow

STUCK_AFTER = timedelta(minutes=10)
WAITING_FOR_YOU = "waiting for you"
# Said to someone whose role cannot move the flow on (a manager): who it waits for instead.
WAITING_FOR_ANALYST = "waiting for an analyst"
_WAITING = {FlowStatus.RUNNING, FlowStatus.PAUSED}


def waits_for_people(phase: str, status: str) -> bool:
    """The flow stands in a phase that only a person's action moves on."""
    return status in _WAITING and phase in WAITS_FOR_PEOPLE


def waiting_on_owners(owners: int, answered: int) -> str:
    return f"waiting on owners: {answered} of {owners} answered"


def activity(
    phase: str, status: str, *, may_act: bool = True, owners: tuple[int, int] | None = None
) -> str:
    """The status as people read it: "waiting for you" where a person must act and the reader
    may ("waiting for an analyst" where they may not), else the status. In manual collection
    with questions sent to owners (`owners`: asked, answered), the flow waits on them."""
    if waits_for_people(phase, status):
        if phase == CollectionPhase.MANUAL_COLLECTION and owners and owners[0]:
            return waiting_on_owners(*owners)
        return WAITING_FOR_YOU if may_act else WAITING_FOR_ANALYST
    return str(status)


def is_stuck(
    status: str,
    updated_at: datetime,
    has_live_job: bool = False,
    now: datetime | None = None,
    *,
    phase: str,
) -> bool:
    """A flow running on the system's side (not waiting for a person) with no live (queued or
    running, unstalled) job, and no update for longer than STUCK_AFTER."""
    if status != FlowStatus.RUNNING or has_live_job or waits_for_people(phase, status):
        return False
    return (now or utcnow()) - updated_at > STUCK_AFTER


def may_be_stuck(
    status: str, updated_at: datetime, now: datetime | None = None, *, phase: str
) -> bool:
    """Worth asking for the flow's job at all (cheap test before a job-key read)."""
    return is_stuck(status, updated_at, False, now, phase=phase)
