"""Typed errors, each with a status in the HTTP vocabulary the product speaks."""


class CollectionError(Exception):
    status: int = 500

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class BadRequest(CollectionError):
    status = 400


class Forbidden(CollectionError):
    status = 403


class NotFound(CollectionError):
    status = 404


class Conflict(CollectionError):
    """A job is already running, or a phase transition is not allowed."""

    status = 409


class InvalidTransition(Conflict):
    pass


class RateLimited(CollectionError):
    status = 429

    def __init__(self, message: str, *, retry_after_seconds: float):
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(CollectionError):
    """The queue or the job-key store cannot be reached; nothing was accepted."""

    status = 503
