"""Which gaps a listing shows: the filters people set, parsed at the edge."""

from typing import Annotated, Literal, get_args

from pydantic import Field

from core.catalogue.attributes import GapCategory, GapType
from core.kernel.edge import CleanText, InputModel
from core.kernel.inputs import MAX_FILTER_LENGTH

GapStatus = Literal["pending", "resolved", "skipped"]
GAP_STATUSES: tuple[str, ...] = get_args(GapStatus)
Priority = Annotated[int, Field(ge=1, le=4, strict=True)]


class GapFilters(InputModel):
    """Empty fields filter nothing; a frozen model, so a page can key its table on it."""

    categories: tuple[GapCategory, ...] = Field(default=(), title="Categories")
    priorities: tuple[Priority, ...] = Field(default=(), title="Priorities")
    gap_types: tuple[GapType, ...] = Field(default=(), title="Gap types")
    statuses: tuple[GapStatus, ...] = Field(default=(), title="Statuses")
    asset_name_contains: CleanText = Field(
        default="", max_length=MAX_FILTER_LENGTH, title="Asset name contains"
    )
