"""The gaps a person selects for enhancement, parsed at the edge into frozen models.

The models check shapes and bounds, then the catalogue is asked whether each field is a
critical attribute; whether each asset belongs to the engagement is the use case's question
(it reads the database), answered in the same words: `Selected gaps (item 4): asset id ...`.
"""

import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, field_validator, model_validator

from core.catalogue.attributes import GapType, get_attribute
from core.enhancement.job_keys import MAX_GAPS_PER_JOB
from core.kernel.edge import InputModel, parse_input
from core.kernel.errors import BadRequest

SELECTED_GAPS = "selected_gaps"


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value


def _display_label(value: Any) -> str | None:
    # A display label only: anything but text is dropped; NUL cannot be stored in JSONB.
    return value.replace("\x00", "")[:255] if isinstance(value, str) else None


class SelectedGap(InputModel):
    """One selected gap, as the queue and the job key carry it."""

    # A selection entry may carry display columns besides these: they are ignored.
    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    field_name: Annotated[str, BeforeValidator(_text)]
    gap_type: GapType
    asset_id: uuid.UUID
    asset_name: Annotated[str | None, BeforeValidator(_display_label)] = None

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict | SelectedGap):
            raise ValueError("must be a gap: a field name, a gap type and an asset id")
        return value

    @property
    def identity(self) -> tuple[str, GapType, uuid.UUID]:
        return (self.field_name, self.gap_type, self.asset_id)

    @property
    def label(self) -> str:
        return self.asset_name or str(self.asset_id)

    def primitives(self) -> dict[str, str | None]:
        return self.model_dump(mode="json")


class GapSelection(InputModel):
    selected_gaps: tuple[SelectedGap, ...] = Field(title="Selected gaps")

    @field_validator(SELECTED_GAPS, mode="before")
    @classmethod
    def _counted(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise ValueError("must be a list of gaps")
        if not value:
            raise ValueError("must hold at least one gap")
        if len(value) > MAX_GAPS_PER_JOB:
            raise ValueError(f"holds {len(value)} gaps: Max {MAX_GAPS_PER_JOB} gaps per submission")
        return value


def parse_selection(selected_gaps: Any) -> tuple[SelectedGap, ...]:
    """The selected gaps as given, or a 400 naming the gap and its field."""
    gaps = parse_input(GapSelection, {SELECTED_GAPS: selected_gaps}).selected_gaps
    for index, gap in enumerate(gaps):
        if get_attribute(gap.field_name) is None:
            raise refuse_gap(index, "field_name", f"{gap.field_name!r} is not a critical attribute")
    return gaps


def distinct(gaps: Sequence[SelectedGap]) -> tuple[SelectedGap, ...]:
    """The first of each (field, gap type, asset), in order: a job does each gap once."""
    first: dict[tuple[str, GapType, uuid.UUID], SelectedGap] = {}
    for gap in gaps:
        first.setdefault(gap.identity, gap)
    return tuple(first.values())


def refuse_gap(index: int, field: str, says: str) -> BadRequest:
    """A 400 about one selected gap, worded as the input models word theirs."""
    return BadRequest(
        f"Selected gaps (item {index + 1}): {field.replace('_', ' ')} {says}",
        field=f"{SELECTED_GAPS}.{index}.{field}",
    )
