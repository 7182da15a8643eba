"""The engagement's saved import mappings (core/inventory/saved_mappings.py says what they are)."""

from typing import Any

from sqlalchemy import select

from core.storage.tenant_repository import TenantRepository
from db.models import ImportMapping


class ImportMappingRepository(TenantRepository):
    def names(self) -> list[str]:
        query = self._scoped(select(ImportMapping.name), ImportMapping).order_by(ImportMapping.name)
        return list(self.db.scalars(query))

    def get(self, name: str) -> ImportMapping | None:
        query = self._scoped(select(ImportMapping), ImportMapping)
        return self.db.scalars(query.where(ImportMapping.name == name)).one_or_none()

    def save(self, name: str, **values: Any) -> ImportMapping:
        """Creates the mapping or replaces the one of that name."""
        mapping = self.get(name)
        if mapping is None:
            mapping = ImportMapping(
                client_account_id=self.client_account_id,
                engagement_id=self.engagement_id,
                name=name,
            )
            self.db.add(mapping)
        for field, value in values.items():
            setattr(mapping, field, value)
        self.db.flush()
        return mapping
