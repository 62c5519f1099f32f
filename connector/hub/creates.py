"""A hub create: mapped, sent once, read back, cached views dropped; at most once per
`Idempotency-Key` (idempotency.py), and a lost answer a 504 rather than a blind retry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import redis

from connector.bulk.lookup import Finder
from connector.errors import STORAGE_RETRY_AFTER, ProviderError
from connector.hub import idempotency
from connector.hub.answers import Answer
from connector.storage.full import is_storage_full

if TYPE_CHECKING:
    from connector.hub.resources import Resource
    from connector.hub.service import Hub

Outcome = tuple[int, str, dict[str, str]]


def create(hub: Hub, name: str, body: Any, key: str | None, raw: bytes) -> Answer:
    key = idempotency.check_key(key)
    resource = hub.resource(name)
    resource.check("create", hub.ctx)
    vendor = resource.to_vendor(body, hub.ctx, partial=False)
    parent_field = resource.parent_field()
    parent_id = vendor.get(parent_field) if parent_field else None

    def send() -> Outcome:
        created: dict[str, Any] = {}
        try:
            created = hub.client.create(resource.entity, vendor, parent_id=parent_id)
        except ProviderError as exc:
            if idempotency.created_before(exc):
                raise idempotency.lost_answer(exc, keyed=key is not None) from None
            raise
        finally:
            if not created.get("id"):
                # also when the answer is lost: Autotask may have made the record all the same
                hub.cache.invalidate(resource.entity, created.get("id"))
        if not created.get("id"):
            return _created(hub, resource, created)
        try:
            hub.cache.invalidate(resource.entity, created["id"])
            return _created(hub, resource, created)
        except redis.RedisError as exc:
            # Autotask stored it; Redis failed after (full or down): a 503 would invite a
            # second create, so the answer names the record instead
            raise _stored_but_storage_failed(name, created["id"], exc) from None

    def find_lost() -> Outcome | None:
        # the record the lost create would have made: one query on the fields it sent
        found = Finder(resource, hub.ctx, hub.client, None).created_like(body, vendor)
        return _created(hub, resource, found[-1]) if found else None

    if key is None:
        status, text, headers = send()
    else:
        settings = hub.deps.settings
        lease = 2 * (settings.autotask_timeout + settings.autotask_max_wait)
        store = idempotency.IdempotencyStore(hub.redis, hub.deps.keys, hub.instance.id)
        status, text, headers = store.run(key, raw, send, find_lost, lease)
    return Answer(text, headers, status)


def _stored_but_storage_failed(
    name: str, record_id: Any, exc: redis.RedisError
) -> idempotency.CreateMayExistError:
    what = "is full" if is_storage_full(exc) else "does not answer"
    return idempotency.CreateMayExistError(
        f"Autotask created the record (id {record_id}), but storage (Redis) {what}, so its "
        f"answer could not be completed; do not send the create again: read "
        f"/hubs/crm/{name}/{record_id} once storage answers",
        headers={"Retry-After": str(STORAGE_RETRY_AFTER)},
    )


def _created(hub: Hub, resource: Resource, vendor: dict[str, Any]) -> Outcome:
    # a record found after a lost answer: that create's `finally` dropped the cached views
    answer = hub._record_answer(resource, vendor)
    return answer.status, answer.body, answer.headers
