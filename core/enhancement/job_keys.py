"""Job-key names, lifetimes and the reading of a job's state (pure; no storage)."""

import uuid
from datetime import UTC, datetime
from typing import Any

JOB_KEY_TTL_SECONDS = 3600  # the seed's setex(job_key, 3600, ...)
RATE_LIMIT_SECONDS = 10  # the seed's setex(rate_limit_key, 10, "1")
MAX_GAPS_PER_JOB = 200
ACTIVE_STATUSES = frozenset({"queued", "running"})
FINISHED_STATUSES = frozenset({"completed", "failed"})


def job_key(collection_flow_id: uuid.UUID | str) -> str:
    return f"gap_enhancement_job:{collection_flow_id}"


def rate_limit_key(collection_flow_id: uuid.UUID | str) -> str:
    return f"gap_analysis_rate_limit:{collection_flow_id}"


def is_stalled(state: dict[str, Any], now: float, stall_seconds: float) -> bool:
    """An active job whose worker has not written a heartbeat within the stall limit."""
    if state.get("status") not in ACTIVE_STATUSES:
        return False
    return now - float(state.get("heartbeat_at", 0)) > stall_seconds


def blocks_submission(state: dict[str, Any] | None, now: float, stall_seconds: float) -> bool:
    return (
        state is not None
        and state.get("status") in ACTIVE_STATUSES
        and not is_stalled(state, now, stall_seconds)
    )


def progress_view(state: dict[str, Any] | None, now: float, stall_seconds: float) -> dict:
    """What the progress endpoint answers: the seed's fields plus stalled and updated_at."""
    if state is None:
        return {"status": "not_started"}
    return {
        "status": state.get("status"),
        "processed": state.get("processed", 0),
        "total": state.get("total", 0),
        "percentage": state.get("percentage", 0.0),
        "current_asset": state.get("current_asset"),
        "errors": list(state.get("errors", [])),
        "stalled": is_stalled(state, now, stall_seconds),
        "updated_at": datetime.fromtimestamp(float(state.get("heartbeat_at", 0)), UTC).isoformat(),
        "job_id": state.get("job_id"),
    }


def remaining_gaps(state: dict[str, Any]) -> list[dict[str, Any]]:
    """Gaps a retry must still do: those after the last processed one and those that failed."""
    selected = state.get("selected_gaps", [])
    processed = int(state.get("processed", 0))
    failed = [selected[index] for index in state.get("failed_indexes", []) if index < processed]
    return failed + selected[processed:]
