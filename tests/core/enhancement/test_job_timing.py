"""Elapsed time, rate and ETA of a job, in people's words."""

import pytest

from core.enhancement.job_timing import ago, duration, eta_seconds, observed_rate, per_minute


def test_the_rate_is_what_was_done_over_the_time_it_took():
    assert observed_rate(30, 60) == 0.5
    assert observed_rate(0, 60) is None  # nothing done yet: no rate to promise from
    assert observed_rate(5, 0) is None


def test_the_eta_is_the_remaining_gaps_at_the_observed_rate():
    assert eta_seconds(22, 0.5) == 44
    assert eta_seconds(0, None) == 0  # done is done, rate or not
    assert eta_seconds(22, None) is None
    assert eta_seconds(22, 0.0) is None


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (None, "—"),
        (0, "0 s"),
        (0.4, "< 1 s"),
        (12.4, "12 s"),
        (65, "1 min 05 s"),
        (3599.6, "1 h 00 min"),
        (7500, "2 h 05 min"),
        (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"),
    ],
)
def test_durations_read_like_a_person_says_them(seconds, shown):
    assert duration(seconds) == shown


def test_a_heartbeat_reads_as_how_long_ago():
    assert ago(12.2) == "12 s ago"
    assert ago(0.3) == "just now"
    assert ago(-2) == "just now"  # clocks of web and worker differ a little
    assert ago(185) == "3 min 05 s ago"


def test_rates_per_minute():
    assert per_minute(None) == "—"
    assert per_minute(1.0) == "60 gaps/min"
    assert per_minute(0.01) == "0.6 gaps/min"
