"""What each role may do, checked in core against the memberships as they stand now."""

import uuid
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.kernel.context import ROLE_STRENGTH, ROLES, RequestContext, Role
from core.kernel.errors import Conflict, Forbidden
from db.models import Engagement, Membership, User


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
    MANAGE_PEOPLE = "manage_people"  # invite, change roles, remove, deactivate, unlock
    MANAGE_ENGAGEMENTS = "manage_engagements"  # create, rename, archive; create clients


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


class AccessRevoked(Forbidden):
    """The user was deactivated or lost the membership after the context was built."""

    def __init__(self) -> None:
        super().__init__("Your access to this engagement was removed; sign in again")


class EngagementArchived(Conflict):
    def __init__(self) -> None:
        super().__init__("This engagement is archived: it can be read, not changed")


# What an archived engagement still allows (people are managed per client, not engagement).
READ_ONLY_ACTIONS = frozenset({Action.VIEW, Action.EXPORT, Action.VIEW_AUDIT, Action.MANAGE_PEOPLE})


def _archived(db: Session, engagement_id: uuid.UUID) -> bool:
    query = select(Engagement.archived_at).where(Engagement.id == engagement_id)
    return db.scalar(query) is not None


def can(ctx: RequestContext, action: Action) -> bool:
    """What the context's role allows: for showing or hiding controls, not for deciding."""
    return action in ROLE_ACTIONS.get(ctx.role, frozenset())


def current_role(
    db: Session, user_id: uuid.UUID, client_account_id: uuid.UUID, engagement_id: uuid.UUID
) -> Role | None:
    """The strongest role an active user's memberships give on the engagement; None if none."""
    roles = db.scalars(
        select(Membership.role)
        .join(User, User.id == Membership.user_id)
        # The engagement must belong to the membership's client, whichever ids a context names.
        .join(Engagement, Engagement.client_account_id == Membership.client_account_id)
        .where(
            Membership.user_id == user_id,
            Membership.client_account_id == client_account_id,
            Engagement.id == engagement_id,
            or_(Membership.engagement_id.is_(None), Membership.engagement_id == engagement_id),
            User.is_active.is_(True),
        )
    ).all()
    known: list[Role] = [role for role in roles if role in ROLES]
    return max(known, key=ROLE_STRENGTH.__getitem__, default=None)


def require(db: Session, ctx: RequestContext, action: Action) -> None:
    """Refuse (403) unless the caller may do `action` now.

    A context naming a user is checked against the database on every call: one indexed
    query, so a deactivated user, a removed membership or a lowered role takes effect at the
    next action of an open tab. A context without a user is the operator (command line,
    benchmarks); one built for a queued job was checked when the job was submitted.
    """
    role: Role = ctx.role
    if ctx.user_id is not None and not ctx.checked_at_submit:
        found = current_role(db, ctx.user_id, ctx.client_account_id, ctx.engagement_id)
        if found is None:
            raise AccessRevoked()
        role = found
    if action in ROLE_ACTIONS[role]:
        if action not in READ_ONLY_ACTIONS and _archived(db, ctx.engagement_id):
            raise EngagementArchived()
        return
    doing = action.value.replace("_", " ")
    if role != ctx.role:
        raise Forbidden(f"Your role on this engagement is now {role}; it may not {doing}")
    raise Forbidden(f"the {role} role may not {doing}")
