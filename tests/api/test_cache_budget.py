"""One tenant cannot fill the shared Redis through its read cache (issue #11, review
finding 1): a body over the cap is not cached, an instance's entries have a byte budget, all
instances together another, and maxCacheSize has a lower ceiling. Over real HTTP, with the
budgets set small for the test (module settings of connector.hub.cache, read at each put)."""

from __future__ import annotations

import pytest
import redis
import requests

from connector.hub import cache as hub_cache
from connector.storage.embedded_redis import EmbeddedRedis
from tests.fixtures.hub import BASE, instance_body


def _read(hub, record_id: int) -> str:
    answer = hub.get(f"contacts/{record_id}")
    assert answer.status_code == 200, answer.text
    return answer.headers["Elements-Cache"]


def _bytes(redis_client, key_prefix: str) -> dict[str, int]:
    raw = redis_client.hgetall(f"{key_prefix}cache:all:bytes")
    return {k: int(v) for k, v in raw.items()}


def test_a_body_over_the_cap_is_not_cached(connect_hub, sandbox, monkeypatch):
    hub = connect_hub(sandbox, cachingEnabled=True)
    small, big = sandbox.ids("Contacts")[:2]
    assert (_read(hub, small), _read(hub, small)) == ("miss", "hit")
    monkeypatch.setattr(hub_cache, "MAX_BODY_BYTES", 100)  # every record body is bigger
    sandbox.clear_requests()
    assert (_read(hub, big), _read(hub, big)) == ("miss", "miss")
    assert len(sandbox.requests(f"Contacts/{big}")) == 2  # each read went to Autotask


def test_an_instance_keeps_at_most_its_byte_budget_evicting_its_oldest(
    connect_hub, sandbox, redis_client, key_prefix, monkeypatch
):
    hub = connect_hub(sandbox, cachingEnabled=True)
    ids = sandbox.ids("Contacts")[:5]
    _read(hub, ids[0])
    one = _bytes(redis_client, key_prefix)["_total"]
    assert one > 0
    monkeypatch.setattr(hub_cache, "INSTANCE_BYTES", int(one * 2.5))  # room for two
    for record_id in ids[1:]:
        assert _read(hub, record_id) == "miss"
    held = _bytes(redis_client, key_prefix)
    instance = str(hub.instance["id"])
    assert 0 < held[instance] <= one * 2.5 and held["_total"] == held[instance]
    assert _read(hub, ids[-1]) == "hit"  # the newest stays
    assert _read(hub, ids[0]) == "miss"  # the oldest went
    index = redis_client.zcard(f"{key_prefix}cache:{instance}:index")
    assert index <= 2


def test_all_instances_together_keep_at_most_the_global_budget(
    connect_hub, sandbox, redis_client, key_prefix, monkeypatch, live_server
):
    filler = connect_hub(sandbox, cachingEnabled=True)
    other = connect_hub(sandbox, cachingEnabled=True)
    first, second, third = sandbox.ids("Contacts")[:3]
    _read(filler, first)
    one = _bytes(redis_client, key_prefix)["_total"]
    monkeypatch.setattr(hub_cache, "GLOBAL_BYTES", int(one * 2.5))
    # the global budget alone: the organizations' share of it is test_cache_budget_per_org's
    monkeypatch.setattr(hub_cache, "ORGANIZATION_SHARE", 1.0)
    _read(filler, second)
    # the budget is spent: the other tenant's reads are answered, just not cached, and the
    # filler's entries stay (a tenant cannot push another's entries out either)
    assert (_read(other, third), _read(other, third)) == ("miss", "miss")
    assert (_read(filler, first), _read(filler, second)) == ("hit", "hit")
    assert _bytes(redis_client, key_prefix)["_total"] <= one * 2.5
    # the filler's instance is deleted: its bytes leave the budget, the other caches again
    deleted = requests.delete(
        f"{live_server.url}{BASE}/instances/{filler.instance['id']}",
        headers={"Authorization": filler.headers["Authorization"].rsplit(", Element", 1)[0]},
        timeout=30,
    )
    assert deleted.status_code == 200, deleted.text
    assert (_read(other, third), _read(other, third)) == ("miss", "hit")
    held = _bytes(redis_client, key_prefix)
    assert str(filler.instance["id"]) not in held and held["_total"] > 0


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"maxCacheSize": 50_001}, id="maxCacheSize"),
        pytest.param(
            {"configuration": {"crm.autotask.cache.max.size": "50001"}},
            id="crm.autotask.cache.max.size",
        ),
    ],
)
def test_max_cache_size_has_a_lower_ceiling(live_server, tenant, sandbox, body):
    answer = requests.post(
        live_server.url + BASE + "/instances",
        json=instance_body(sandbox, **body),
        headers=tenant.headers(),
        timeout=30,
    )
    assert answer.status_code == 400, answer.text
    assert "50000" in answer.json()["message"] or "50,000" in answer.json()["message"]


def test_the_embedded_redis_has_a_memory_ceiling_and_evicts_nothing(tmp_path):
    # noeviction: event logs, idempotency keys and paging state have TTLs, and volatile-lru
    # would drop them under memory pressure; the cache keeps within the budgets tested above
    # instead, and a full Redis is a 503 (tests/storage/test_redis_full.py)
    server = EmbeddedRedis(tmp_path / "redis")
    server.start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        assert client.config_get("maxmemory")["maxmemory"] == str(1024**3)
        assert client.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
        client.close()
    finally:
        server.stop()
