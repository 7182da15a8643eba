"""Which flows wait on their owners: questions sent to how many, and how many answered."""

import uuid
from collections.abc import Sequence

from core.kernel.permissions import Action
from core.storage.unit_of_work import UnitOfWork


def owners_asked(
    uow: UnitOfWork, collection_flow_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, tuple[int, int]]:
    """Per flow that sent requests: (owners asked, owners who answered by their link). One read
    for a whole list, so the Flows list can say which flows wait on owners."""
    uow.require(Action.VIEW)
    return uow.owner_requests.owners_asked(collection_flow_ids)
