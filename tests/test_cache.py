"""The read cache against a real Redis: hits, invalidation, TTL on every key, size bound."""

from __future__ import annotations

import pytest

from connector.cache import HubCache
from connector.keys import Keys


@pytest.fixture
def make_cache(redis_client, key_prefix):
    def make(**options) -> HubCache:
        options.setdefault("enabled", True)
        return HubCache(redis_client, Keys(key_prefix), 1, **options)

    return make


def test_record_views_are_cleared_together_by_a_write(make_cache):
    cache = make_cache()
    cache.put_record("Contacts", 5, "contacts", '{"id":5}')
    cache.put_record("Contacts", 5, "Contacts", '{"id":5,"native":true}')
    assert cache.get_record("Contacts", 5, "contacts") == '{"id":5}'
    cache.invalidate("Contacts", 5)
    assert cache.get_record("Contacts", 5, "contacts") is None
    assert cache.get_record("Contacts", 5, "Contacts") is None


def test_a_write_orphans_cached_pages_of_the_entity_only(make_cache):
    cache = make_cache()
    version, body = cache.get_list("Contacts", "q1")
    assert body is None
    cache.put_list("Contacts", "q1", version, "page")
    other_version, _ = cache.get_list("Companies", "q1")
    cache.put_list("Companies", "q1", other_version, "companies page")
    assert cache.get_list("Contacts", "q1")[1] == "page"
    cache.invalidate("Contacts", 9)
    assert cache.get_list("Contacts", "q1")[1] is None
    assert cache.get_list("Companies", "q1")[1] == "companies page"


def test_a_page_read_before_a_write_is_not_served_after_it(make_cache):
    cache = make_cache()
    version, _ = cache.get_list("Contacts", "q")
    cache.invalidate("Contacts")  # a write lands while the upstream call runs
    cache.put_list("Contacts", "q", version, "stale page")
    assert cache.get_list("Contacts", "q")[1] is None


def test_every_key_has_a_ttl(make_cache, redis_client, key_prefix):
    cache = make_cache(ttl=60)
    cache.put_record("Contacts", 1, "contacts", "x")
    version, _ = cache.get_list("Contacts", "q")
    cache.put_list("Contacts", "q", version, "y")
    cache.invalidate("Contacts", 2)
    keys = list(redis_client.scan_iter(match=f"{key_prefix}*"))
    assert keys
    assert all(redis_client.ttl(k) > 0 for k in keys)


def test_size_bound_evicts_the_oldest_entries(make_cache):
    cache = make_cache(max_size=3)
    for record_id in (9, 8, 7, 6, 5):  # insertion order differs from the keys' sort order
        cache.put_record("Contacts", record_id, "contacts", str(record_id))
    assert [cache.get_record("Contacts", i, "contacts") for i in (9, 8, 7, 6, 5)] == [
        None,
        None,
        "7",
        "6",
        "5",
    ]


def test_disabled_cache_always_misses(make_cache, redis_client, key_prefix):
    cache = make_cache(enabled=False)
    cache.put_record("Contacts", 1, "contacts", "x")
    assert cache.get_record("Contacts", 1, "contacts") is None
    assert not list(redis_client.scan_iter(match=f"{key_prefix}cache*"))


def test_clear_removes_only_this_instance(make_cache, redis_client, key_prefix):
    cache = make_cache()
    other = HubCache(redis_client, Keys(key_prefix), 2, enabled=True)
    cache.put_record("Contacts", 1, "contacts", "x")
    other.put_record("Contacts", 1, "contacts", "y")
    assert cache.clear() >= 1
    assert cache.get_record("Contacts", 1, "contacts") is None
    assert other.get_record("Contacts", 1, "contacts") == "y"
