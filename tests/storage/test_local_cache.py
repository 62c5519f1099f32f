"""Per-process copies against a real Redis: two LocalCache objects stand for two workers."""

from __future__ import annotations

import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from connector.storage.embedded_redis import free_port
from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache, publish


@pytest.fixture
def pair(redis_client, key_prefix):
    keys = Keys(key_prefix)
    first, second = LocalCache(redis_client, keys), LocalCache(redis_client, keys)
    yield first, second
    first.close()
    second.close()


def _hears(cache: LocalCache, since: int, timeout: float = 2.0) -> bool:
    """Whether the cache hears of a change within `timeout` (Redis delivers in microseconds,
    but a test asking in the same microsecond as the publisher may be first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cache.generation() != since:
            return True
        time.sleep(0.001)
    return False


def test_a_change_in_one_process_is_forgotten_in_the_other(pair):
    first, second = pair
    first.put("caller:x", "copy", ["instance:7"], since=first.generation())
    assert first.get("caller:x") == "copy"
    since = first.generation()
    second.invalidate(["instance:7"])
    assert _hears(first, since)
    assert first.get("caller:x") is None


def test_a_read_that_predates_a_change_is_not_kept(pair):
    first, second = pair
    first.get("warm-up")
    since = first.generation()  # then the read from Redis would happen here...
    second.invalidate(["instance:7"])  # ...while another process changes it
    assert _hears(first, since)
    first.put("caller:x", "stale", ["instance:7"], since=since)
    assert first.get("caller:x") is None


def test_changes_published_without_a_local_cache_are_heard(pair, redis_client, key_prefix):
    first, _ = pair
    first.put("record:a", "copy", ["record:a"], since=first.generation())
    since = first.generation()
    publish(redis_client, Keys(key_prefix), ["record:a"])
    assert _hears(first, since)
    assert first.get("record:a") is None


def test_unrelated_groups_survive(pair):
    first, second = pair
    first.put("a", 1, ["instance:1"], since=first.generation())
    first.put("b", 2, ["instance:2"], since=first.generation())
    since = first.generation()
    second.invalidate(["instance:1"])
    assert _hears(first, since)
    assert (first.get("a"), first.get("b")) == (None, 2)


def test_copies_expire(redis_client, key_prefix):
    cache = LocalCache(redis_client, Keys(key_prefix), ttl=0.05)
    cache.put("a", 1, ["g"], since=cache.generation())
    time.sleep(0.1)
    assert cache.get("a") is None
    cache.close()


def test_the_oldest_copies_go_first_past_the_bound(redis_client, key_prefix):
    cache = LocalCache(redis_client, Keys(key_prefix), max_entries=2)
    for name in ("a", "b", "c"):
        cache.put(name, name, ["g"], since=cache.generation())
    assert [cache.get(n) for n in ("a", "b", "c")] == [None, "b", "c"]
    cache.close()


def test_without_a_subscription_nothing_is_copied():
    dead = redis.Redis(
        host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    cache = LocalCache(dead, Keys("x:"))
    cache.put("a", 1, ["g"], since=cache.generation())
    assert cache.get("a") is None
