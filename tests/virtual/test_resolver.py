"""The hub's hook: a name with a transformation for the instance is virtual, others are not."""

from __future__ import annotations

import pytest

from connector.errors import ValidationError
from connector.storage.keys import Keys
from connector.tenancy.instances import Instance
from connector.virtual.resolver import VirtualResolver
from connector.virtual.store import VdrStore, instance_scope, org_scope

INSTANCE = Instance(9, 1, 1, "i", [], {}, {}, {}, "h")


@pytest.fixture
def store(redis_client, key_prefix) -> VdrStore:
    found = VdrStore(redis_client, Keys(key_prefix))
    with found.redis.pipeline() as pipe:
        found.put(
            pipe,
            "definition",
            org_scope(1),
            "contacts",
            {"fields": [{"path": "n", "type": "string"}]},
        )
        found.put(
            pipe,
            "definition",
            org_scope(1),
            "lonely",
            {"fields": [{"path": "n", "type": "string"}]},
        )
        found.put(
            pipe,
            "transformation",
            instance_scope(9),
            "contacts",
            {"vendorName": "contacts", "fields": [{"path": "n", "vendorPath": "lastName"}]},
        )
        found.put(
            pipe,
            "transformation",
            org_scope(1),
            "gone",
            {"vendorName": "nothing here", "fields": []},
        )
        pipe.execute()
    return found


def test_a_transformed_name_resolves_to_a_virtual_resource(store, registry):
    resolver = VirtualResolver(store)
    found = resolver(INSTANCE, "contacts", registry)
    assert found.kind == "virtual" and found.base is registry.normalized["contacts"]
    assert resolver(INSTANCE, "lonely", registry) is None  # a definition alone is not served
    assert resolver(INSTANCE, "accounts", registry) is None
    assert registry.base("contacts").kind == "normalized"  # the base ignores virtual names


def test_a_vendor_name_nothing_serves_is_a_400(store, registry):
    with pytest.raises(ValidationError, match="maps to nothing here"):
        VirtualResolver(store)(INSTANCE, "gone", registry)


def test_names_lists_what_the_instance_has(store):
    assert VirtualResolver(store).names(INSTANCE) == ["contacts", "gone"]
