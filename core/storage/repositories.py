"""Tenant-scoped repositories, one module each in core/storage; re-exported here for the
modules that still import them from this one (import from the modules themselves)."""

from core.storage.assets import AssetRepository
from core.storage.audit import AuditRepository
from core.storage.flows import CollectionFlowRepository
from core.storage.gaps import GapRepository
from core.storage.questionnaires import QuestionnaireRepository
from core.storage.tenant_repository import TenantRepository

__all__ = [
    "AssetRepository",
    "AuditRepository",
    "CollectionFlowRepository",
    "GapRepository",
    "QuestionnaireRepository",
    "TenantRepository",
]
