"""Token buckets: a burst of a few seconds' worth, then the rate; each key on its own."""

from dashboard.poll_limits import TokenBuckets


def test_a_bucket_allows_its_burst_then_its_rate():
    buckets = TokenBuckets()
    # 2 a second holds 10 (5 seconds' worth).
    assert [buckets.wait_seconds("a", 2.0, now=100.0) for _ in range(11)] == [0] * 10 + [1]
    assert buckets.wait_seconds("a", 2.0, now=100.25) == 1  # half a poll back: not yet
    assert buckets.wait_seconds("a", 2.0, now=100.5) == 0
    assert buckets.wait_seconds("b", 2.0, now=100.5) == 0  # another key is full


def test_retry_after_is_the_whole_seconds_until_a_poll_is_allowed():
    buckets = TokenBuckets()
    assert buckets.wait_seconds("a", 0.1, now=0.0) == 0
    assert buckets.wait_seconds("a", 0.1, now=0.0) == 10
    assert buckets.wait_seconds("a", 0.1, now=9.0) == 1
    assert buckets.wait_seconds("a", 0.1, now=10.5) == 0


def test_the_buckets_kept_are_bounded_and_the_longest_unused_goes_first():
    buckets = TokenBuckets(max_buckets=3)
    for key in "abcd":
        buckets.wait_seconds(key, 0.01, now=0.0)
    assert buckets.wait_seconds("b", 0.01, now=0.0) > 0  # kept, and empty
    assert buckets.wait_seconds("a", 0.01, now=0.0) == 0  # dropped: starts full again
