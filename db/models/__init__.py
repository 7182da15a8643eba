"""SQLAlchemy models for every table of the product (see DESIGN.md, "Domain model").

One module per concept; every model is importable from `db.models`, and importing it
registers every table on `Base.metadata` (Alembic and relationships need them all).
"""

from db.models.accounts import ClientAccount, Engagement, Membership, User
from db.models.assets import Asset, AssetValueSource, ImportMapping
from db.models.audit import AuditEvent
from db.models.base import Base, TenantMixin, TimestampMixin
from db.models.flows import CollectionDataGap, CollectionFlow, MasterFlow
from db.models.gap_counts import GapCount
from db.models.gap_jobs import GapJob, GapJobAttempt
from db.models.job_keys import JobKey
from db.models.questionnaires import Questionnaire, QuestionnaireResponse
from db.models.requests import OwnerRequest, QuestionAssignment
from db.models.sign_in import SignInSession, SignInThrottle

__all__ = [
    "Asset",
    "AssetValueSource",
    "AuditEvent",
    "Base",
    "ClientAccount",
    "CollectionDataGap",
    "CollectionFlow",
    "Engagement",
    "GapCount",
    "GapJob",
    "GapJobAttempt",
    "ImportMapping",
    "JobKey",
    "MasterFlow",
    "Membership",
    "OwnerRequest",
    "QuestionAssignment",
    "Questionnaire",
    "QuestionnaireResponse",
    "SignInSession",
    "SignInThrottle",
    "TenantMixin",
    "TimestampMixin",
    "User",
]
