"""The SQL job-key store of the embedded default."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class JobKey(Base):
    """The SQL job-key store of the embedded default (Redis keys in production)."""

    __tablename__ = "job_keys"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[datetime]
