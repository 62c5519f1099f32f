"""The documents in Redis: what one instance sees costs one round trip."""

from __future__ import annotations

import pytest

from connector.storage.keys import Keys
from connector.virtual.store import VdrStore, instance_scope, org_scope


@pytest.fixture
def store(redis_client, key_prefix) -> VdrStore:
    return VdrStore(redis_client, Keys(key_prefix))


def put(store, kind, scope, name, doc):
    with store.redis.pipeline() as pipe:
        store.put(pipe, kind, scope, name, doc)
        pipe.execute()


def test_stored_reads_both_levels_of_one_name(store):
    put(store, "definition", org_scope(1), "x", {"fields": [], "by": "org"})
    put(store, "transformation", instance_scope(9), "x", {"vendorName": "Contacts", "fields": []})
    put(store, "transformation", instance_scope(8), "x", {"vendorName": "other instance"})
    seen = store.stored(1, 9, "x")
    assert seen.org_definition == {"fields": [], "by": "org"}
    assert seen.instance_transformation["vendorName"] == "Contacts"
    assert seen.org_transformation is None and seen.instance_definition is None
    assert store.stored(1, None, "x").instance_transformation is None


def test_stored_all_and_who_holds_documents(store):
    put(store, "definition", org_scope(1), "a", {"fields": []})
    put(store, "definition", instance_scope(9), "b", {"fields": []})
    assert sorted(store.stored_all(1, 9)) == ["a", "b"]
    assert sorted(store.stored_all(1, None)) == ["a"]
    assert store.instances_holding([7, 8, 9]) == [9]


def test_keys_live_under_the_prefix(store, key_prefix):
    assert store.definitions_key(org_scope(1)).startswith(key_prefix)
    assert store.transformations_key(instance_scope(2)).endswith(":autotaskcrm")


def test_a_transaction_runs_again_when_a_watched_key_changes(store):
    version = store.version_key(1)
    runs = []

    def watched(reader):
        reader.watch(version)
        return [store.definitions_key(org_scope(1))]

    def work(reader):
        runs.append(reader.get(version))
        if len(runs) == 1:
            store.redis.incr(version)  # another worker saves a transformation meanwhile
        return lambda pipe: pipe.hset(store.definitions_key(org_scope(1)), "x", "{}")

    store.transaction(watched, work)
    assert runs == [None, "1"]
    assert store.definition(org_scope(1), "x") == {}
