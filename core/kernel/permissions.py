"""What each role may do, checked in core against the memberships as they stand now."""

import uuid
from enum import StrEnum

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.kernel.context import ROLE_STRENGTH, ROLES, RequestContext, Role
from core.kernel.errors import Conflict, Forbidden
from db.models import ClientAccount, Engagement, Membership, SignInSession, User
from db.types import utcnow


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
    # Queue again a long phase whose run failed, stalled or lost its worker (Admin's incidents).
    RERUN_PHASE = "rerun_phase"
    RESET_JOB = "reset_job"
    VIEW_AUDIT = "view_audit"
    MANAGE_PEOPLE = "manage_people"  # invite, change roles, remove, deactivate, unlock
    MANAGE_ENGAGEMENTS = "manage_engagements"  # create, rename, archive; create clients
    ASSIGN_OWNERS = "assign_owners"  # give a question without a reachable owner an email
    SEND_REQUESTS = "send_requests"  # mail owners their open questions, remind them


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
        Action.ASSIGN_OWNERS,
        Action.SEND_REQUESTS,
    }
)
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    # Managers read, and give owners to questions nobody owns (they know who is who).
    "manager": frozenset({Action.VIEW, Action.EXPORT, Action.ASSIGN_OWNERS}),
    "analyst": _ANALYST,
    "admin": frozenset(Action),
}


class AccessRevoked(Forbidden):
    """The user was deactivated or lost the membership after the context was built."""

    def __init__(
        self, message: str = "Your access to this engagement was removed; sign in again"
    ) -> None:
        super().__init__(message)


class SignedOut(AccessRevoked):
    """The sign-in session behind the context ended (Sign out, a new password, a deactivation)
    or expired."""

    def __init__(self) -> None:
        super().__init__("You were signed out; sign in again")


class NotClientWide(Forbidden):
    def __init__(self) -> None:
        super().__init__(
            "only an admin of all the client's engagements may do that; "
            "your membership covers this engagement"
        )


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


def session_is_live(db: Session, ctx: RequestContext) -> bool:
    """Whether the context's sign-in session is the user's, not ended, not expired."""
    if ctx.sign_in_session_id is None:
        return False
    ended_at, expires_at = db.execute(
        select(SignInSession.ended_at, SignInSession.expires_at).where(
            SignInSession.id == ctx.sign_in_session_id, SignInSession.user_id == ctx.user_id
        )
    ).first() or (utcnow(), utcnow())
    return ended_at is None and expires_at > utcnow()


def require(
    db: Session,
    ctx: RequestContext,
    action: Action,
    *,
    known: tuple[Role, bool | None] | None = None,
) -> None:
    """Refuse (403) unless the caller may do `action` now.

    A context naming a user is checked against the database in every transaction, in one
    indexed query: its sign-in session must be live (a 403 that signs the tab out) and its memberships
    give the role, so Sign out in another tab, a new password, a deactivation, a removed
    membership or a lowered role takes effect at the next action of an open tab. A context
    without a user is the operator (command line, benchmarks); one built for a queued job was
    checked when the job was submitted. `known`: the `standing` read earlier in the same
    transaction (a unit of work reads it once, however many use cases it runs).
    """
    role, archived = standing(db, ctx) if known is None else known
    if action in ROLE_ACTIONS[role]:
        if action not in READ_ONLY_ACTIONS and (
            _archived(db, ctx.engagement_id) if archived is None else archived
        ):
            raise EngagementArchived()
        return
    doing = action.value.replace("_", " ")
    if role != ctx.role:
        raise Forbidden(f"Your role on this engagement is now {role}; it may not {doing}")
    raise Forbidden(f"the {role} role may not {doing}")


def standing(db: Session, ctx: RequestContext) -> tuple[Role, bool | None]:
    """The role the context acts with now and whether its engagement is archived (None: not
    read, for a context without a person, whose role is its own)."""
    if ctx.user_id is not None and not ctx.checked_at_submit:
        return _standing(db, ctx)
    return ctx.role, None


def _standing(db: Session, ctx: RequestContext) -> tuple[Role, bool]:
    """The role of a person's context and whether the engagement is archived, read with its
    sign-in session in one query; SignedOut or AccessRevoked when either is gone."""
    if ctx.sign_in_session_id is None or ctx.user_id is None:
        raise SignedOut()
    rows = db.execute(
        select(
            Membership.role,
            Engagement.archived_at,
            SignInSession.id,
            SignInSession.ended_at,
            SignInSession.expires_at,
        )
        .join(User, User.id == Membership.user_id)
        .join(Engagement, Engagement.client_account_id == Membership.client_account_id)
        .outerjoin(
            SignInSession,
            and_(
                SignInSession.id == ctx.sign_in_session_id,
                SignInSession.user_id == Membership.user_id,
            ),
        )
        .where(
            Membership.user_id == ctx.user_id,
            Membership.client_account_id == ctx.client_account_id,
            Engagement.id == ctx.engagement_id,
            or_(
                Membership.engagement_id.is_(None),
                Membership.engagement_id == ctx.engagement_id,
            ),
            User.is_active.is_(True),
        )
    ).all()
    if not rows:
        # No membership: signed out if the session ended too (the sign-in page says so).
        raise AccessRevoked() if session_is_live(db, ctx) else SignedOut()
    _, archived_at, session_id, ended_at, expires_at = rows[0]
    if session_id is None or ended_at is not None or expires_at <= utcnow():
        raise SignedOut()
    known: list[Role] = [row.role for row in rows if row.role in ROLES]
    if not known:
        raise AccessRevoked()
    return max(known, key=ROLE_STRENGTH.__getitem__), archived_at is not None


def covers_client(db: Session, ctx: RequestContext) -> bool:
    """Whether the caller is an admin of all the client's engagements (a membership with no
    engagement), or the operator; an admin of one engagement manages that engagement only."""
    if ctx.user_id is None:
        return ctx.role == "admin"
    query = (
        select(Membership.id)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.user_id == ctx.user_id,
            Membership.client_account_id == ctx.client_account_id,
            Membership.engagement_id.is_(None),
            Membership.role == "admin",
            User.is_active.is_(True),
        )
    )
    return bool(db.scalar(query.exists().select()))


def require_client_wide(db: Session, ctx: RequestContext, action: Action) -> None:
    """`require`, and (403) the caller must be an admin of the whole client: naming the
    client, managing its engagements and the members beyond one engagement."""
    require(db, ctx, action)
    if not covers_client(db, ctx):
        raise NotClientWide()


def lock_client(db: Session, ctx: RequestContext) -> None:
    """Hold the client's row until the transaction ends: changes that could leave the client
    without an admin take turns, so two admins demoting each other cannot both succeed."""
    db.execute(
        select(ClientAccount.id).where(ClientAccount.id == ctx.client_account_id).with_for_update()
    )
