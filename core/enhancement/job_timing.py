"""How long a job has run, how fast it goes and when it will end, in people's words (pure)."""

import math

MINUTE, HOUR, DAY = 60, 3600, 86400


def observed_rate(processed: int, seconds: float) -> float | None:
    """Gaps per second seen so far; None before anything is done or any time has passed."""
    if processed <= 0 or seconds <= 0:
        return None
    return processed / seconds


def eta_seconds(remaining: int, rate_per_second: float | None) -> float | None:
    """Seconds until the remaining gaps are done at the observed rate; None without a rate."""
    if remaining <= 0:
        return 0.0
    if not rate_per_second or rate_per_second <= 0:
        return None
    return remaining / rate_per_second


def duration(seconds: float | None) -> str:
    """'< 1 s', '45 s', '3 min 05 s', '2 h 05 min', '3 d 4 h'; an em dash when unknown."""
    if seconds is None or math.isnan(seconds):
        return "—"
    whole = max(round(seconds), 0)
    if whole == 0 and seconds > 0:
        return "< 1 s"
    if whole < MINUTE:
        return f"{whole} s"
    if whole < HOUR:
        return f"{whole // MINUTE} min {whole % MINUTE:02d} s"
    if whole < DAY:
        return f"{whole // HOUR} h {whole % HOUR // MINUTE:02d} min"
    return f"{whole // DAY} d {whole % DAY // HOUR} h"


def ago(seconds: float) -> str:
    """'just now', '12 s ago', '3 min 05 s ago' (a moment slightly in the future is now)."""
    if seconds < 1:
        return "just now"
    return f"{duration(seconds)} ago"


def per_minute(rate_per_second: float | None) -> str:
    """'42 gaps/min', '0.5 gaps/min'; an em dash without a rate."""
    if rate_per_second is None:
        return "—"
    rate = rate_per_second * MINUTE
    return f"{rate:.0f} gaps/min" if rate >= 10 else f"{rate:.1f} gaps/min"
