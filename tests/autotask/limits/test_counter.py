from __future__ import annotations

import json
import time

import pytest

from connector.autotask.limits.counter import RequestCounter, Usage
from connector.storage.keys import Keys


@pytest.fixture
def keys(key_prefix) -> Keys:
    return Keys(key_prefix)


def test_counts_are_shared_by_every_worker_of_a_database(redis_client, keys):
    worker_a = RequestCounter(redis_client, keys, 30595)
    worker_b = RequestCounter(redis_client, keys, 30595)
    other_database = RequestCounter(redis_client, keys, 1)
    worker_a.record()
    worker_b.record()
    assert worker_a.record().own == 3
    assert other_database.usage().own == 0


def test_the_window_is_the_last_sixty_minutes(redis_client, keys):
    counter = RequestCounter(redis_client, keys, 7)
    now = time.time()
    counter.record(5, now=now - 61 * 60)  # outside the rolling hour
    counter.record(2, now=now - 30 * 60)
    counter.record(1, now=now)
    assert counter.usage().own == 3


def test_every_bucket_expires(redis_client, keys):
    counter = RequestCounter(redis_client, keys, 7)
    counter.record()
    minute = int(time.time() // 60)
    assert 0 < redis_client.ttl(keys.request_counter(7, minute)) <= 62 * 60


def test_record_returns_the_threshold_snapshot(redis_client, keys):
    snapshot = {"limit": 10000, "timeframe": 60, "used": 4000, "own": 0, "at": time.time()}
    redis_client.set(keys.threshold(7), json.dumps(snapshot), ex=60)
    usage = RequestCounter(redis_client, keys, 7).record()
    assert usage.snapshot == snapshot


@pytest.mark.parametrize(
    ("own", "snapshot", "used"),
    [
        pytest.param(12, None, 12, id="without a snapshot only the own count is known"),
        pytest.param(
            30,
            {"limit": 100, "used": 50, "own": 10},
            70,
            id="Autotask's count plus what was sent since",
        ),
        pytest.param(
            5,
            {"limit": 100, "used": 50, "own": 10},
            50,
            id="own requests leaving the window do not lower Autotask's figure below it",
        ),
        pytest.param(
            90,
            {"limit": 100, "used": 10, "own": 0},
            100,
            id="the estimate never falls below the own count",
        ),
    ],
)
def test_estimated_used(own, snapshot, used):
    assert Usage(own, snapshot).estimated_used == used
