"""Questionnaires generated for a flow and the answers people give."""

import uuid
from typing import Any

from sqlalchemy import (
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base, TimestampMixin


class Questionnaire(TimestampMixin, Base):
    __tablename__ = "questionnaires"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    collection_flow_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("collection_flows.id", ondelete="CASCADE")
    )
    asset_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    # [{"id": gap id, "field_name", "label", "type", "options", "required", "default", "help"}]
    questions: Mapped[list[Any]] = mapped_column(default=list)
    target_gaps: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    __table_args__ = (
        UniqueConstraint("collection_flow_id", "asset_id", name="uq_questionnaire_per_asset"),
    )


class QuestionnaireResponse(TimestampMixin, Base):
    __tablename__ = "questionnaire_responses"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    questionnaire_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    question_id: Mapped[str] = mapped_column(String(100))
    # The answer exactly as submitted, so nothing a person typed is lost before validation.
    value: Mapped[dict[str, Any]] = mapped_column(default=dict)
    answered_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    validation_status: Mapped[str] = mapped_column(String(20), default="unchecked")
    validation_message: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "question_id", name="uq_response_per_question"),
    )
