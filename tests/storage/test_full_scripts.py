"""The Lua scripts of connector/ that may grow memory write nothing on a full Redis (#11).

Redis checks `maxmemory` inside a script only at its first write, and only when that write
may grow memory: a script that begins with DEL, HDEL, ZREM or ZREMRANGEBYSCORE (writes that
never grow it) lets every later write through a full Redis. Each script here begins with a
write a full Redis refuses, even when there is something to drop first. (The admission and
budget scripts are in test_full_admission.py.) One full redis-server of the module's own, set up
once: each test only asserts that nothing it tried was written."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import redis

from connector.bulk.store import BulkStore
from connector.events.store import EventLog
from connector.formulas.org_index import OrgIndexBackfill
from connector.hub.cache import HubCache, Snapshot
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.full import is_storage_full
from connector.storage.keys import Keys
from connector.tenancy.counts import CountCap
from tests.fixtures.full_redis import fill

KEYS = Keys("full:")
JOB = 7
CACHING = 9  # an instance with a cached entry long expired


@pytest.fixture(scope="module")
def full_client(tmp_path_factory) -> Iterator[redis.Redis]:
    """A full redis-server of this module's own, holding what each script would drop or
    change first: a lapsed claim, a running bulk job, a formula instance not yet indexed."""
    server = EmbeddedRedis(tmp_path_factory.mktemp("full"), maxmemory="16mb", persistent=False)
    server.start()
    client = redis.Redis.from_url(server.url, decode_responses=True)
    try:
        client.zadd(KEYS.count_claims("things", "1"), {"lapsed": 1})
        client.hset(KEYS.bulk_job(JOB), mapping={"status": "RUNNING", "cursor": "a"})
        client.set(KEYS.sequence("formula-instance"), 1)
        client.set(KEYS.formula_instance(1), json.dumps({"id": 1, "organizationId": 3}))
        client.zadd(KEYS.cache_index(CACHING), {"an-expired-entry": 1})  # the put drops it first
        fill(client)
        yield client
    finally:
        client.close()
        server.stop()


def _refused(call) -> None:
    with pytest.raises(redis.ResponseError) as refused:
        call()
    assert is_storage_full(refused.value), refused.value


def test_a_count_claim_is_refused_even_beside_a_lapsed_one(full_client):
    cap = CountCap(full_client, KEYS, "things", limit=5, what="things")
    claims = KEYS.count_claims("things", "1")

    def claim():
        with cap.place(1, KEYS.pattern("things", 1)):
            pass

    _refused(claim)
    assert full_client.zrange(claims, 0, -1) == ["lapsed"]  # no claim, nothing dropped


def test_a_bulk_checkpoint_and_update_are_refused(full_client):
    store = BulkStore(full_client, KEYS, retention_seconds=600)
    _refused(
        lambda: store.checkpoint(JOB, position="cursor", expected="a", new="b", blob=b"x" * 10_000)
    )
    _refused(lambda: store.update(JOB, statusMessage="y" * 10_000))
    assert full_client.hgetall(KEYS.bulk_job(JOB)) == {"status": "RUNNING", "cursor": "a"}
    assert not full_client.exists(KEYS.bulk_part(JOB, "chunks"))


def test_an_event_is_not_logged(full_client):
    log = EventLog(full_client, KEYS, retention_days=1)
    event = {"eventId": "e-1", "objectType": "contacts", "data": "z" * 10_000}
    _refused(lambda: log.append(4, [event]))
    assert not full_client.exists(KEYS.event("e-1"))
    assert not full_client.exists(KEYS.events_log(4))


def test_the_formula_instance_backfill_adds_nothing(full_client):
    _refused(OrgIndexBackfill(full_client, KEYS).ensure)
    assert not full_client.exists(KEYS.org_formula_instances(3))
    assert not full_client.exists(KEYS.org_formula_instances_backfilled())


def test_the_server_stayed_full(full_client):
    """The tests above met a full Redis, not one that had room again."""
    _refused(lambda: full_client.eval("return redis.call('SET', KEYS[1], 'x')", 1, "probe"))


def test_a_cache_put_keeps_nothing_and_the_read_goes_on(full_client):
    """A full Redis refuses the put script at its first write, before it drops the expired
    entry; the put is no error (the record was read from Autotask already), nothing kept."""
    cache = HubCache(full_client, KEYS, CACHING, enabled=True, ttl=60, organization_id=3)
    cache.put_record("Contacts", 5, "shape", "x" * 100_000, Snapshot())
    assert cache.get_record("Contacts", 5, "shape") is None
    assert full_client.zrange(KEYS.cache_index(CACHING), 0, -1) == ["an-expired-entry"]
