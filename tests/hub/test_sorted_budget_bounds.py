"""The sorted results' budget script does bounded work per first page (issue #11): Redis runs
one script at a time for every tenant, so a tenant that piles up small results (a first page
whose rest is one id takes under 50 bytes, so 8 MiB holds some 170,000 of them) must not make
each later first page read them all, nor the one after they expire forget them all at once.

Against a redis-server of the test's own, whose command counts no other test touches."""

from __future__ import annotations

import pytest
import redis

from connector.hub import sorted_budget
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.keys import Keys

PILED = 3_000  # small results of one instance
TTL = 900


@pytest.fixture
def own_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis", persistent=False)
    server.start()
    client = redis.Redis.from_url(server.url)
    yield client
    client.close()
    server.stop()


def _calls(client: redis.Redis) -> dict[str, int]:
    return {name: stats["calls"] for name, stats in client.info("commandstats").items()}


def _spent(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}


def _pile(client: redis.Redis, keys: Keys, instance: int, org: int, now_ms: int) -> None:
    for n in range(PILED):
        key = keys.sorted_result(instance, f"r{n}")
        sorted_budget.put(client, keys, key, [n + 1], TTL, instance, org, now_ms=now_ms + n)


def test_a_first_page_reads_none_of_the_instances_other_results(own_redis):
    keys = Keys("bounds:")
    _pile(own_redis, keys, 1, 1, now_ms=1_000_000)
    before = _calls(own_redis)
    key = keys.sorted_result(1, "one-more")
    sorted_budget.put(own_redis, keys, key, [7, 8], TTL, 1, 1, now_ms=1_000_000 + PILED)
    spent = _spent(before, _calls(own_redis))
    # a whole-hash read is O(results): none per first page
    assert not {"cmdstat_hvals", "cmdstat_hgetall"} & set(spent), spent
    assert sum(spent.values()) < 40, spent


def test_results_expired_together_are_forgotten_a_bounded_number_per_first_page(own_redis):
    keys = Keys("bounds:")
    start = 1_000_000
    _pile(own_redis, keys, 1, 1, now_ms=start)
    fresh = start + TTL * 1000  # one result still live when the piled ones have expired
    sorted_budget.put(own_redis, keys, keys.sorted_result(1, "fresh"), [5], TTL, 1, 1, now_ms=fresh)
    later = start + PILED + TTL * 1000 + 1
    before = _calls(own_redis)
    sorted_budget.put(own_redis, keys, keys.sorted_result(1, "new"), [9], TTL, 1, 1, now_ms=later)
    spent = _spent(before, _calls(own_redis))
    assert sum(spent.values()) < 2_000, spent
    # what is left over is forgotten by the next first pages, and the figures stay true
    for n in range(PILED // 100):
        key = keys.sorted_result(1, f"n{n}")
        sorted_budget.put(own_redis, keys, key, [9], TTL, 1, 1, now_ms=later + n)
    sizes = {
        k.decode(): int(v) for k, v in own_redis.hgetall(keys.sorted_budget(1, "sizes")).items()
    }
    total = sizes.pop("_total")
    assert total == sum(sizes.values())
    assert len(sizes) == 2 + PILED // 100  # fresh, new and the last ones
    assert own_redis.zcard(keys.sorted_budget(1, "index")) == len(sizes)
    org = {
        k.decode(): int(v)
        for k, v in own_redis.hgetall(keys.sorted_budget("org-1", "bytes")).items()
    }
    assert org["1"] == org["_total"] == total


def test_an_idle_instances_results_leave_its_figures_in_one_step(own_redis):
    keys = Keys("bounds:")
    _pile(own_redis, keys, 1, 1, now_ms=1_000_000)
    later = 1_000_000 + PILED + TTL * 1000  # every one of them expired
    before = _calls(own_redis)
    sorted_budget.put(own_redis, keys, keys.sorted_result(1, "new"), [9], TTL, 1, 1, now_ms=later)
    spent = _spent(before, _calls(own_redis))
    assert sum(spent.values()) < 40, spent
    sizes = own_redis.hgetall(keys.sorted_budget(1, "sizes"))
    assert set(sizes) == {keys.sorted_result(1, "new").encode(), b"_total"}


def test_a_shorter_lived_result_never_shortens_the_figures_of_longer_ones(own_redis):
    """The figures (the instance's and the organization's) live as long as the longest result
    they count: an instance keeping results 60 s must not expire the organization's figures
    while another instance's results of a day still count in them."""
    keys = Keys("t:")
    sorted_budget.put(own_redis, keys, keys.sorted_result(1, "long"), [1, 2], 86_400, 1, 7)
    sorted_budget.put(own_redis, keys, keys.sorted_result(2, "short"), [3], 60, 2, 7)
    sorted_budget.put(own_redis, keys, keys.sorted_result(1, "brief"), [4], 60, 1, 7)
    for figures in (
        keys.sorted_budget("org-7", "bytes"),
        keys.sorted_budget("org-7", "expiry"),
        keys.sorted_budget(1, "index"),
        keys.sorted_budget(1, "sizes"),
    ):
        assert own_redis.ttl(figures) > 86_000, figures
