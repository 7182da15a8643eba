"""A real SMTP server on loopback, settings pointing at it, and workers that deliver inline."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from core.kernel.context import RequestContext
from core.kernel.dispatch import set_dispatcher
from core.requests.delivery import deliver_request_mails
from core.requests.escalation import deliver_escalation
from db.session import get_engine
from tests.factories import flow_in_manual_collection
from tests.jobs.conftest import queue, start_consumer  # noqa: F401 (a real huey_consumer)
from tests.mail import Mailbox, smtp_server

PUBLIC_URL = "https://collect.example.org"
# Two owners reachable (Lee by name and address, Dana by address), one asset nobody owns.
HOLES = {"operating_system": None, "environment": None, "cpu_cores": None}
OWNERS = {
    "lee": {"technical_owner": "Lee Park <lee@x.org>", "business_owner": "dana@x.org"},
    "lee_only": {"technical_owner": "lee@x.org", "business_owner": "TBD"},
    "nobody": {"technical_owner": "unknown", "business_owner": "Ops team"},
}


class InlineWorkers:
    """The queue, delivering at once in this process as a worker would (last attempt)."""

    def __init__(self) -> None:
        self.tasks: list[dict[str, Any]] = []

    def enqueue_owner_mail(self, **primitives: Any) -> None:
        self.tasks.append(primitives)
        deliver_request_mails(**primitives, final_attempt=True)

    def enqueue_escalation(self, **primitives: Any) -> None:
        self.tasks.append(primitives)
        deliver_escalation(**primitives)

    def enqueue_gap_enhancement(self, **primitives: Any) -> None:
        raise AssertionError("no gap job here")

    def enqueue_phase(self, **primitives: Any) -> None:
        raise AssertionError("no queued phase here")


@pytest.fixture
def mailbox(app_settings) -> Iterator[Mailbox]:
    with smtp_server() as (box, port):
        app_settings(SMTP_HOST="127.0.0.1", SMTP_PORT=str(port), PUBLIC_URL=PUBLIC_URL)
        get_engine.cache_clear()  # work opened by core itself uses this test's database
        yield box
        get_engine().dispose()
        get_engine.cache_clear()


@pytest.fixture
def workers(mailbox) -> Iterator[InlineWorkers]:
    inline = InlineWorkers()
    set_dispatcher(inline)
    yield inline
    set_dispatcher(None)


@dataclass
class OwnedFlow:
    ctx: RequestContext
    flow_id: str


@pytest.fixture
def owned_flow(db, tenant, make_assets) -> Callable[..., OwnedFlow]:
    def make(ctx: RequestContext | None = None, name: str = "Wave 1 servers") -> OwnedFlow:
        ctx = ctx or tenant
        assets = [
            asset
            for owners in OWNERS.values()
            for asset in make_assets(ctx, 1, **{**HOLES, **owners})
        ]
        return OwnedFlow(ctx, flow_in_manual_collection(db, ctx, assets, name=name))

    return make
