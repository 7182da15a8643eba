"""The signed pass that lets a browser poll one job's progress without a page run.

A page run checks tenancy and the flow, then issues a pass naming the job key it may read, the
flow, the engagement and the person. The web process's progress endpoint honours the pass and
nothing else: it reads that one job key (no SQL, no session state). A pass lives for
PASS_SECONDS, which bounds how long a tab of someone deactivated or removed from the
engagement can still poll: the next page run checks them again and issues no new pass.
"""

import uuid
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadData, URLSafeTimedSerializer

from config.settings import Settings, get_settings
from core.access.session_tokens import session_secret
from core.kernel.context import RequestContext

# Its own salt: a sign-in token, or a pass of any other purpose, never reads as a progress pass.
SALT = "collection-dashboard.job-progress"
PASS_SECONDS = 300
MAX_PASS_LENGTH = 512
GAP_JOB = "gap_job"  # the flow's gap job key
PHASE_RUN = "phase_run"  # the flow's phase-run key (core/flows/phase_run.py)
EXPORT_RUN = "export_run"  # the flow's export-run key
SEND_RUN = "send_run"  # the flow's send-run key (mailing its owners their requests)
KINDS = frozenset({GAP_JOB, PHASE_RUN, EXPORT_RUN, SEND_RUN})


@dataclass(frozen=True)
class ProgressPass:
    """What a pass allows: reading the job key of one flow, for one person in one engagement."""

    job_key: str  # the collection flow's id, which names its job key
    flow_id: str  # the master flow id the page shows
    engagement_id: str
    user_id: str | None
    kind: str = GAP_JOB  # which of the flow's keys it reads


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return _serializer_for(session_secret(settings))


@lru_cache(maxsize=4)
def _serializer_for(secret: str) -> URLSafeTimedSerializer:
    # Built once per secret: every poll verifies a pass.
    return URLSafeTimedSerializer(secret, salt=SALT)


def issue(
    job_key: str,
    flow_id: str,
    ctx: RequestContext,
    settings: Settings | None = None,
    *,
    kind: str = GAP_JOB,
) -> str:
    """A pass for a caller whose access to the flow was just checked (the caller checks it)."""
    payload: dict[str, str | None] = {
        "job": job_key,
        "flow": flow_id,
        "engagement": str(ctx.engagement_id),
        "user": None if ctx.user_id is None else str(ctx.user_id),
    }
    if kind != GAP_JOB:  # a gap job's pass reads as it always has
        payload["kind"] = kind
    return str(_serializer(settings or get_settings()).dumps(payload))


def read(token: object, settings: Settings | None = None) -> ProgressPass | None:
    """The pass a genuine token younger than PASS_SECONDS carries; None for anything else."""
    if not isinstance(token, str) or not token or len(token) > MAX_PASS_LENGTH:
        return None
    try:
        payload = _serializer(settings or get_settings()).loads(token, max_age=PASS_SECONDS)
        user = payload["user"]
        kind = payload.get("kind", GAP_JOB)
        if kind not in KINDS:
            return None
        return ProgressPass(
            job_key=str(uuid.UUID(payload["job"])),
            flow_id=str(uuid.UUID(payload["flow"])),
            engagement_id=str(uuid.UUID(payload["engagement"])),
            user_id=None if user is None else str(uuid.UUID(user)),
            kind=kind,
        )
    except (BadData, KeyError, TypeError, ValueError, AttributeError):
        return None
