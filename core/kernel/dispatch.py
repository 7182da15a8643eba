"""The port through which core hands work to background workers (Huey lives in jobs/)."""

from typing import Any, Protocol

from core.kernel.errors import ServiceUnavailable


class JobDispatcher(Protocol):
    def enqueue_gap_enhancement(self, **primitives: Any) -> None: ...

    def enqueue_phase(self, **primitives: Any) -> None: ...


_dispatcher: JobDispatcher | None = None


def set_dispatcher(dispatcher: JobDispatcher | None) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def get_dispatcher() -> JobDispatcher:
    if _dispatcher is None:
        raise ServiceUnavailable(
            "No worker queue is configured in this process (import jobs.tasks)."
        )
    return _dispatcher
