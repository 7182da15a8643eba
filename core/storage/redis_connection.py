"""The Redis connection the stores kept beside the database share (gap jobs' keys, phase runs,
worker beats): one client per URL, and any Redis failure as one 503 sentence."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import redis

from core.kernel.errors import ServiceUnavailable


@cache
def redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5
    )


@contextmanager
def reachable(
    unavailable: type[ServiceUnavailable] = ServiceUnavailable,
) -> Iterator[None]:
    """Redis's errors inside the block raised as `unavailable`: nothing was read or written."""
    try:
        yield
    except redis.RedisError as error:
        raise unavailable(f"The job store is unreachable ({type(error).__name__}).") from error
