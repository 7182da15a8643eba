"""The job-key store: one small interface, and the choice of its implementation.

A claim checks "is a job of this flow active?" (409) and then "was the last submission
less than 10 s ago?" (429) and takes both keys, all in one atomic step, so concurrent
submissions cannot both pass. Workers write progress only while the key is still theirs.
Redis (`redis_job_store.py`) with REDIS_URL, else a table of the application database
(`sql_job_store.py`); `tests/core/enhancement/test_job_store.py` is their one contract.
"""

import uuid
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from enum import StrEnum
from typing import NamedTuple

from core.enhancement.job_state import JobState
from core.enhancement.selection import SelectedGap
from core.kernel.errors import ServiceUnavailable

# The field of the job key that keeps the submitted selection, beside the JobState's fields.
SELECTION_FIELD = "selected_gaps"


class JobStoreUnavailable(ServiceUnavailable):
    """The job-key store cannot be reached (Redis down): nothing was read or written."""


class ClaimOutcome(StrEnum):
    ACCEPTED = "accepted"
    CONFLICT = "conflict"
    RATE_LIMITED = "rate_limited"


class Claim(NamedTuple):
    outcome: ClaimOutcome
    wait_seconds: float = 0.0  # how long to wait when rate limited


class JobKeyStore(ABC):
    @abstractmethod
    def claim(
        self,
        collection_flow_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
        *,
        stall_seconds: float,
    ) -> Claim:
        """Take the job key and the rate limit for a new job, or say why not."""

    @abstractmethod
    def get(self, collection_flow_id: str) -> JobState | None: ...

    @abstractmethod
    def get_many(self, collection_flow_ids: Sequence[str]) -> dict[str, JobState]:
        """The states of those flows that have a job, by collection flow id."""

    @abstractmethod
    def get_selection(self, collection_flow_id: str) -> tuple[SelectedGap, ...]:
        """The gaps the current job was submitted with (none without a job)."""

    @abstractmethod
    def update_if_current(
        self, collection_flow_id: str, state: JobState, changed: Collection[str]
    ) -> bool:
        """Write the `changed` fields of `state` if the key still holds job `state.job_id`.

        False when the key is gone or holds another job: the caller must stop writing.
        """

    @abstractmethod
    def delete(self, collection_flow_id: str, job_id: str | None = None) -> None:
        """Forget the job (only if it is still `job_id`, when given) and its rate limit."""

    @abstractmethod
    def put_back(
        self,
        collection_flow_id: str,
        job_id: str,
        state: JobState,
        selection: Sequence[SelectedGap],
    ) -> None:
        """Put `state` and its selection back in place of job `job_id` (only if the key still
        holds it) and forget the rate limit: a retry that was never queued leaves the job it
        followed as it was, to be retried again."""


def new_job_id() -> str:
    return str(uuid.uuid4())
