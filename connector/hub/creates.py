"""A hub create: mapped, sent once, read back, cached views dropped; at most once per
`Idempotency-Key` (idempotency.py), and a lost answer a 504 rather than a blind retry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from connector.bulk.lookup import Finder
from connector.errors import ProviderError
from connector.hub import idempotency

if TYPE_CHECKING:
    from connector.hub.resources import Resource
    from connector.hub.service import Answer, Hub

Outcome = tuple[int, str, dict[str, str]]


def create(hub: Hub, name: str, body: Any, key: str | None, raw: bytes) -> Answer:
    from connector.hub.service import Answer

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
            # also when the answer is lost: Autotask may have made the record all the same
            hub.cache.invalidate(resource.entity, created.get("id"))
        return _created(hub, resource, created)

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


def _created(hub: Hub, resource: Resource, vendor: dict[str, Any]) -> Outcome:
    # a record found after a lost answer: that create's `finally` dropped the cached views
    answer = hub._record_answer(resource, vendor)
    return answer.status, answer.body, answer.headers
