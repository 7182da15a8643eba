"""The port through which core hands work to background workers.

The dispatcher is named by a setting (JOB_DISPATCHER, by default the Huey queue of
`jobs/huey_app.py`) and loaded on first use, so any caller of core (the dashboard, a
worker, a CLI, a script that imports nothing but core) submits to the same queue without
having to import or install anything first. Tests may put another in its place.
"""

import importlib
import threading
from typing import Any, Protocol, cast, runtime_checkable

from config.settings import get_settings
from core.kernel.errors import ServiceUnavailable


class JobDispatcher(Protocol):
    def enqueue_gap_enhancement(self, **primitives: Any) -> None: ...

    def enqueue_phase(self, **primitives: Any) -> None: ...

    def enqueue_owner_mail(self, **primitives: Any) -> None: ...

    def enqueue_escalation(self, **primitives: Any) -> None: ...


@runtime_checkable
class QueueGauge(Protocol):
    """A queue that can say how much waits in it (the Huey queue can; a test's stand-in may not)."""

    def waiting(self) -> tuple[int, float | None]:
        """Tasks waiting, and when the oldest of them was queued (a Unix time; None: none)."""
        ...


_dispatcher: JobDispatcher | None = None
_loading = threading.Lock()


def set_dispatcher(dispatcher: JobDispatcher | None) -> None:
    """Use `dispatcher` from now on; None: the configured one again, loaded at the next use."""
    global _dispatcher
    _dispatcher = dispatcher


def get_dispatcher() -> JobDispatcher:
    global _dispatcher
    with _loading:
        if _dispatcher is None:
            _dispatcher = load_dispatcher(get_settings().job_dispatcher)
        return _dispatcher


def load_dispatcher(address: str) -> JobDispatcher:
    """The object at `module:attribute`; a 503 when it cannot be loaded."""
    module_name, _, attribute = address.partition(":")
    try:
        return cast(JobDispatcher, getattr(importlib.import_module(module_name), attribute))
    except (ImportError, AttributeError, ValueError) as error:
        raise ServiceUnavailable(
            f"The worker queue {address!r} (JOB_DISPATCHER) cannot be loaded: {error}"
        ) from error
