from __future__ import annotations

import json

import pytest

from connector.autotask.limits.counter import Usage
from connector.autotask.limits.threshold import ThresholdMonitor
from connector.storage.keys import Keys

ANSWER = {
    "externalRequestThreshold": 10000,
    "requestThresholdTimeframe": 60,
    "currentTimeframeRequestCount": 124,
}


NOW = 1_800_000_000.0  # the snapshots' ages are fixed at collection, not when the test runs


@pytest.fixture
def monitor(redis_client, key_prefix) -> ThresholdMonitor:
    return ThresholdMonitor(redis_client, Keys(key_prefix), 7, refresh_seconds=120)


@pytest.mark.parametrize(
    ("usage", "due"),
    [
        pytest.param(Usage(0, None), True, id="no snapshot yet"),
        pytest.param(
            Usage(10, {"limit": 10000, "used": 5, "own": 5, "at": NOW}),
            False,
            id="a fresh snapshot",
        ),
        pytest.param(
            Usage(10, {"limit": 10000, "used": 5, "own": 5, "at": NOW - 121}),
            True,
            id="a snapshot older than the refresh interval",
        ),
        pytest.param(
            Usage(205, {"limit": 10000, "used": 5, "own": 5, "at": NOW}),
            True,
            id="two percent of the limit spent since the last read",
        ),
    ],
)
def test_due(monitor, usage, due):
    assert monitor.due(usage, now=NOW) is due


def test_one_worker_claims_the_read(monitor, redis_client, key_prefix):
    other = ThresholdMonitor(redis_client, Keys(key_prefix), 7)
    assert monitor.claim() is True
    assert other.claim() is False


def test_a_lock_known_to_be_held_is_not_asked_for_again(monitor, redis_client, key_prefix):
    keys = Keys(key_prefix)
    redis_client.set(keys.threshold_lock(7), "1", ex=30)  # another process reads it now
    other = ThresholdMonitor(redis_client, keys, 7)
    assert other.claim() is False  # asks Redis, learns how long the lock has left
    redis_client.delete(keys.threshold_lock(7))  # only a test can see the lock go early
    sent = []
    original = redis_client.connection_pool.get_connection

    def counting(*args, **kwargs):
        sent.append(args)
        return original(*args, **kwargs)

    redis_client.connection_pool.get_connection = counting
    try:
        assert monitor.claim() is False  # known held: no round trip
    finally:
        redis_client.connection_pool.get_connection = original
    assert sent == []
    assert redis_client.get(keys.threshold_lock(7)) is None  # and nothing was taken


def test_store_keeps_the_answer_with_the_own_count(monitor, redis_client, key_prefix):
    snapshot = monitor.store(ANSWER, Usage(42, None))
    assert snapshot["limit"] == 10000
    assert snapshot["used"] == 124
    assert snapshot["timeframe"] == 60
    assert snapshot["own"] == 42
    stored = redis_client.get(Keys(key_prefix).threshold(7))
    assert json.loads(stored) == snapshot
    assert redis_client.ttl(Keys(key_prefix).threshold(7)) > 0
