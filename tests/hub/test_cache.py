"""The read cache against a real Redis: hits, invalidation, races, TTLs, the size bound."""

from __future__ import annotations

import time

import pytest

from connector.hub.cache import HubCache
from connector.storage.keys import Keys
from connector.storage.local_cache import LocalCache


@pytest.fixture
def make_cache(redis_client, key_prefix):
    def make(instance_id: int = 1, **options) -> HubCache:
        options.setdefault("enabled", True)
        return HubCache(redis_client, Keys(key_prefix), instance_id, **options)

    return make


def _put(cache: HubCache, record_id, body, shape="contacts", entity="Contacts"):
    cache.put_record(entity, record_id, shape, body, cache.snapshot(entity))


def test_record_views_are_cleared_together_by_a_write(make_cache):
    cache = make_cache()
    _put(cache, 5, '{"id":5}')
    _put(cache, 5, '{"id":5,"native":true}', shape="Contacts")
    assert cache.get_record("Contacts", 5, "contacts") == '{"id":5}'
    cache.invalidate("Contacts", 5)
    assert cache.get_record("Contacts", 5, "contacts") is None
    assert cache.get_record("Contacts", 5, "Contacts") is None


def test_a_read_that_raced_a_write_is_not_stored(make_cache):
    cache = make_cache()
    before = cache.snapshot("Contacts")  # a read starts...
    cache.invalidate("Contacts", 5)  # ...a write lands...
    cache.put_record("Contacts", 5, "contacts", "stale", before)  # ...the read stores late
    assert cache.get_record("Contacts", 5, "contacts") is None


def test_a_read_that_raced_a_clear_is_not_stored(make_cache):
    cache = make_cache()
    before = cache.snapshot("Contacts")
    cache.clear()
    cache.put_record("Contacts", 5, "contacts", "stale", before)
    assert cache.get_record("Contacts", 5, "contacts") is None


def test_a_write_orphans_cached_pages_of_the_entity_only(make_cache):
    cache = make_cache()
    snapshot, body = cache.get_list("Contacts", "q1")
    assert body is None
    cache.put_list("Contacts", "q1", snapshot, "page")
    other, _ = cache.get_list("Companies", "q1")
    cache.put_list("Companies", "q1", other, "companies page")
    assert cache.get_list("Contacts", "q1")[1] == "page"
    cache.invalidate("Contacts", 9)
    assert cache.get_list("Contacts", "q1")[1] is None
    assert cache.get_list("Companies", "q1")[1] == "companies page"


def test_a_page_read_before_a_write_is_not_served_after_it(make_cache):
    cache = make_cache()
    snapshot, _ = cache.get_list("Contacts", "q")
    cache.invalidate("Contacts")  # a write lands while the upstream call runs
    cache.put_list("Contacts", "q", snapshot, "stale page")
    assert cache.get_list("Contacts", "q")[1] is None


def test_each_view_keeps_its_own_expiry(make_cache):
    cache = make_cache(ttl=1)
    _put(cache, 5, "old view")
    time.sleep(0.7)
    _put(cache, 5, "new view", shape="other")  # would extend the whole hash's life
    time.sleep(0.5)
    assert cache.get_record("Contacts", 5, "contacts") is None
    assert cache.get_record("Contacts", 5, "other") == "new view"


def test_every_key_has_a_ttl(make_cache, redis_client, key_prefix):
    cache = make_cache(ttl=60)
    _put(cache, 1, "x")
    snapshot, _ = cache.get_list("Contacts", "q")
    cache.put_list("Contacts", "q", snapshot, "y")
    cache.invalidate("Contacts", 2)
    cache.clear()
    _put(cache, 3, "z")
    keys = list(redis_client.scan_iter(match=f"{key_prefix}*"))
    assert keys
    assert all(redis_client.ttl(k) > 0 for k in keys)


def test_size_bound_evicts_the_oldest_entries_and_says_so(make_cache, redis_client, key_prefix):
    local = LocalCache(redis_client, Keys(key_prefix))
    cache = make_cache(max_size=3, local=local)
    for record_id in (9, 8, 7, 6, 5):  # insertion order differs from the keys' sort order
        _put(cache, record_id, str(record_id))
    assert [cache.get_record("Contacts", i, "contacts") for i in (9, 8, 7, 6, 5)] == [
        None,
        None,
        "7",
        "6",
        "5",
    ]
    other_process = LocalCache(redis_client, Keys(key_prefix))
    other = make_cache(max_size=3, local=other_process)
    assert other.get_record("Contacts", 7, "contacts") == "7"  # copied there
    since = other_process.generation()
    _put(cache, 4, "4")  # evicts 7 in Redis; the copy elsewhere must go too
    deadline = time.monotonic() + 2
    while other_process.generation() == since and time.monotonic() < deadline:
        time.sleep(0.001)
    assert other.copied_record("Contacts", 7, "contacts") is None
    local.close()
    other_process.close()


def test_disabled_cache_always_misses(make_cache, redis_client, key_prefix):
    cache = make_cache(enabled=False)
    _put(cache, 1, "x")
    assert cache.get_record("Contacts", 1, "contacts") is None
    assert not list(redis_client.scan_iter(match=f"{key_prefix}cache*"))


def test_clear_removes_only_this_instance(make_cache):
    cache, other = make_cache(1), make_cache(2)
    _put(cache, 1, "x")
    _put(other, 1, "y")
    assert cache.clear() >= 1
    assert cache.get_record("Contacts", 1, "contacts") is None
    assert other.get_record("Contacts", 1, "contacts") == "y"
