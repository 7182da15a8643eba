"""How often progress polls are answered: token buckets per pass and per client address.

Counted in each web process's memory (a poll is answered by the process it reaches), so N web
replicas allow N times the rates together. A bucket refills at its rate and holds
BURST_SECONDS of it, so a tab shown again, or a few tabs opened at once, are not refused.
"""

import math
import time
from collections import OrderedDict

BURST_SECONDS = 5.0
# Buckets kept per kind; the longest unused goes first (a full bucket is what a new one is).
MAX_BUCKETS = 50_000


class TokenBuckets:
    """One bucket per key, all with one rate (per second); not thread-safe: used by the
    event loop alone."""

    def __init__(self, max_buckets: int = MAX_BUCKETS) -> None:
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._max_buckets = max_buckets

    def wait_seconds(self, key: str, rate: float, now: float | None = None) -> int:
        """0 when a token is taken for `key`; otherwise the whole seconds until one is there."""
        now = time.monotonic() if now is None else now
        burst = max(1.0, rate * BURST_SECONDS)
        tokens, then = self._buckets.pop(key, (burst, now))
        tokens = min(burst, tokens + (now - then) * rate)
        waits = 0
        if tokens >= 1:
            tokens -= 1
        else:
            waits = max(1, math.ceil((1 - tokens) / rate))
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_buckets:
            self._buckets.popitem(last=False)
        return waits
