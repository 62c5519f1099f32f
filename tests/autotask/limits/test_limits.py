"""The Limits facade (connector/autotask/limits/__init__.py): count, pace, hold a slot."""

from __future__ import annotations

import json
import time

import pytest

from connector.autotask.limits import Limits
from connector.errors import ProviderRateLimitedError
from connector.keys import Keys


def make_limits(redis_client, keys, **overrides) -> Limits:
    options = {
        "database": 7,
        "integration": "CODE",
        "share": 0.5,
        "slots": 3,
        "max_wait": 5.0,
        "slot_seconds": 30,
        "threshold_refresh": 120,
    }
    options.update(overrides)
    return Limits(redis_client, keys, **options)


def put_snapshot(redis_client, keys, used, limit=10000, own=0):
    snapshot = {"limit": limit, "timeframe": 60, "used": used, "own": own, "at": time.time()}
    redis_client.set(keys.threshold(7), json.dumps(snapshot), ex=600)


def test_admit_counts_without_pacing_below_the_share(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    put_snapshot(redis_client, keys, used=100)
    with limits.admit("Companies") as admission:
        assert admission.paced_seconds == 0
        assert limits.semaphore("Companies").holders() == 1
    assert limits.semaphore("Companies").holders() == 0
    assert limits.usage().own == 1


def test_admit_paces_past_the_share(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    # 9,980 of 10,000 spent: 20 left in the hour, one request every 180 s; far past max_wait
    put_snapshot(redis_client, keys, used=9980, limit=10000)
    with limits.admit("Companies"):
        pass  # the first request takes the free slot at once
    with pytest.raises(ProviderRateLimitedError) as caught, limits.admit("Companies"):
        pass
    assert caught.value.retry_after >= 100


def test_paced_requests_wait_their_turn(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys)
    # 1,000 of 1,200 spent, with a one-minute timeframe standing in for the hour:
    redis_client.set(
        keys.threshold(7),
        json.dumps({"limit": 1200, "timeframe": 1, "used": 1000, "own": 0, "at": time.time()}),
        ex=600,
    )
    # ...60 s / 200 left = 0.3 s between requests
    started = time.monotonic()
    paced = []
    for _ in range(3):
        with limits.admit("Contacts") as admission:
            paced.append(admission.paced_seconds)
    elapsed = time.monotonic() - started
    assert paced[0] == pytest.approx(0, abs=0.05)
    assert 0.5 < elapsed < 1.5


def test_busy_slots_become_a_rate_limit(redis_client, key_prefix):
    keys = Keys(key_prefix)
    limits = make_limits(redis_client, keys, slots=1, max_wait=0.1)
    with limits.admit("Tickets"):
        with pytest.raises(ProviderRateLimitedError), limits.admit("Tickets"):
            pass
        with limits.admit("Companies"):  # another endpoint has slots of its own
            pass
