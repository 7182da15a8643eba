"""Job-key names and lifetimes: defined once, used by both job-key stores."""

import uuid

JOB_KEY_TTL_SECONDS = 3600  # a job key outlives its job by an hour, then expires
RATE_LIMIT_SECONDS = 10  # one submission per flow in this many seconds
MAX_GAPS_PER_JOB = 200


def job_key(collection_flow_id: uuid.UUID | str) -> str:
    return f"gap_enhancement_job:{collection_flow_id}"


def rate_limit_key(collection_flow_id: uuid.UUID | str) -> str:
    return f"gap_analysis_rate_limit:{collection_flow_id}"
