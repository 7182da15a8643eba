"""What each role may do. Checked in core, whatever the UI shows."""

from enum import StrEnum

from core.context import RequestContext
from core.errors import Forbidden


class Action(StrEnum):
    VIEW = "view"
    CREATE_FLOW = "create_flow"
    RUN_PHASE = "run_phase"  # select assets, run a phase, submit for validation
    SUBMIT_GAPS = "submit_gaps"
    RETRY_JOB = "retry_job"
    ANSWER = "answer"
    IMPORT_ASSETS = "import_assets"
    EXPORT = "export"
    RESUME_FLOW = "resume_flow"
    RESET_JOB = "reset_job"
    VIEW_AUDIT = "view_audit"


_ANALYST = frozenset(
    {
        Action.VIEW,
        Action.CREATE_FLOW,
        Action.RUN_PHASE,
        Action.SUBMIT_GAPS,
        Action.RETRY_JOB,
        Action.ANSWER,
        Action.IMPORT_ASSETS,
        Action.EXPORT,
    }
)
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    "manager": frozenset({Action.VIEW, Action.EXPORT}),
    "analyst": _ANALYST,
    "admin": frozenset(Action),
}


def can(ctx: RequestContext, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(ctx.role, frozenset())


def require(ctx: RequestContext, action: Action) -> None:
    if not can(ctx, action):
        raise Forbidden(f"the {ctx.role} role may not {action.value.replace('_', ' ')}")
