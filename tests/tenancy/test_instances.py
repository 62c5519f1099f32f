"""The instance store under concurrent changes: a save never resurrects a deleted instance
and never restores a rotated-away token."""

from __future__ import annotations

import pytest

from connector.errors import NotFoundError
from connector.storage.keys import Keys
from connector.tenancy.instances import Instance, InstanceStore


@pytest.fixture
def store(redis_client, key_prefix) -> InstanceStore:
    return InstanceStore(redis_client, Keys(key_prefix))


def _new(store: InstanceStore) -> tuple[Instance, str]:
    token, token_hash = store.new_token()
    instance = Instance(
        id=store.next_id(),
        organizationId=1,
        userId=1,
        name="x",
        tags=[],
        configuration={},
        secrets={},
        zone={},
        tokenHash=token_hash,
    )
    store.save(instance, is_new=True)
    return instance, token


def test_a_save_of_a_deleted_instance_is_a_404_and_brings_nothing_back(store):
    instance, token = _new(store)
    stale = store.get(instance.id)  # a PATCH read it...
    store.delete(store.get(instance.id))  # ...while a DELETE ran
    stale.name = "renamed"
    with pytest.raises(NotFoundError):
        store.save(stale)
    assert store.get(instance.id) is None
    assert store.by_token(token) is None


def test_a_save_after_a_rotation_keeps_the_new_token(store):
    instance, old_token = _new(store)
    stale = store.get(instance.id)  # a PATCH read it...
    new_token = store.rotate_token(store.get(instance.id))  # ...while the token was rotated
    stale.name = "renamed"
    store.save(stale)
    assert store.by_token(old_token) is None
    assert store.by_token(new_token).name == "renamed"
    newest = store.rotate_token(store.get(instance.id))
    assert store.by_token(new_token) is None and store.by_token(newest) is not None


def test_deleting_with_a_stale_object_revokes_the_current_token(store):
    instance, _ = _new(store)
    stale = store.get(instance.id)
    current = store.rotate_token(store.get(instance.id))
    store.delete(stale)
    assert store.by_token(current) is None
