"""One hub call for one instance: resolve the resource, then list, read or write through it.

Answers are finished JSON bodies with their headers, so the cache can keep them as they are.
The Autotask client (and with it the zone look-up) is built only when a call needs Autotask:
a cache hit on a normalized resource touches Redis alone (a native entity first checks its
metadata, cached per database).
"""

from __future__ import annotations

import json
from typing import Any

import redis

from connector.autotask import filters
from connector.errors import NotFoundError, ProviderValidationError
from connector.hub import creates, explain, render
from connector.hub.answers import (
    CACHE,
    NEXT_PAGE,
    RETURNED,
    TOTAL,
    Answer,
    record_shape,
    strips_nulls,
)
from connector.hub.cache import HubCache
from connector.hub.context import HubContext
from connector.hub.listing import Lister, ListQuery, Plan, page_cursors, plan
from connector.hub.raw import RAW, WithRaw, with_raw
from connector.hub.registry import Registry
from connector.hub.render import Renderer
from connector.hub.resources import Resource
from connector.hub.tokens import PageTokens, query_digest
from connector.tenancy.clients import database_of
from connector.tenancy.instances import Instance
from connector.tenancy.services import Services


class Hub:
    def __init__(
        self,
        instance: Instance,
        *,
        deps: Services,
        redis_client: redis.Redis,
        registry: Registry,
        tokens: PageTokens,
    ) -> None:
        self.instance = instance
        self.deps = deps
        self.redis = redis_client
        self.registry = registry
        self.tokens = tokens
        self.ctx = HubContext(lambda: deps.clients(instance), instance)
        self.cache = HubCache(
            redis_client,
            deps.keys,
            instance.id,
            enabled=instance.cachingEnabled,
            ttl=instance.cacheTimeToLive,
            max_size=instance.maxCacheSize,
            local=deps.local,
            database=database_of(instance),
            organization_id=instance.organizationId,
        )
        self.strip_nulls = strips_nulls(instance)
        self._resolved: dict[str, Resource] = {}

    @property
    def client(self):
        return self.ctx.client

    def resource(self, name: str) -> Resource:
        """What `name` answers for the instance now (a bulk job's hub sees edits), else what
        `resolved` gave: the fast path's, resolved a moment before on a hub for one read."""
        found = self._resolved.get(name)
        return found if found is not None else self.registry.resolve(name, self.instance)

    def resolved(self, name: str, resource: Resource) -> Hub:
        self._resolved[name] = resource
        return self

    # -- reads --------------------------------------------------------------------------
    def list(self, name: str, query: ListQuery, *, parent: tuple[str, int] | None = None) -> Answer:
        resource = parent_resource = self.resource(name)
        if parent is not None:
            resource, query = self._child_query(resource, parent, query)
        resource.check("list", self.ctx)
        renderer = Renderer(strip=self.strip_nulls, fields=query.fields)
        digest = query_digest(
            resource.name,
            query.where,
            query.order_by,
            query.fields,
            query.page_size,
            list(query.extra_filter),
            query.include_total,
            self.strip_nulls,
            *(["raw"] if query.raw else []),  # the two views are cached apart
        )
        first_page = query.next_page is None and (query.page or 1) == 1
        numbered = query.next_page is None and not first_page  # page=N alone: its own entry
        entry = query_digest(digest, query.next_page, *(("page", query.page) if numbered else ()))
        sorted_ttl = self.cache.ttl if self.cache.enabled else 0
        snapshot, cached = self.cache.get_list(resource.entity, entry)
        the_plan: Plan | None = None
        if cached is not None:
            head, _, body = cached.partition("\n")
            headers, state = json.loads(head), "hit"
            if query.page is not None and headers.get(NEXT_PAGE):  # the next page: one call
                cursors = page_cursors(self.redis, self.deps.keys, self.tokens, self.instance.id)
                cursors(digest, sorted_ttl).remember(query.page + 1, headers[NEXT_PAGE])
        else:
            the_plan = plan(resource, query, self.ctx)  # names checked before any read
            if parent is not None and first_page:  # checked once, on page one
                if self._fetch(parent_resource, parent[1]) is None:
                    raise NotFoundError(f"No {parent_resource.name} record with id {parent[1]}")
            result = Lister(
                WithRaw(resource) if query.raw else resource,
                self.client,
                self.ctx,
                tokens=self.tokens,
                instance_id=self.instance.id,
                redis_client=self.redis,
                keys=self.deps.keys,
                digest=digest,
                sorted_ttl=sorted_ttl,
                organization_id=self.instance.organizationId,
            ).run(query, the_plan)
            body = renderer.dumps([with_raw(renderer.record(r), r) for r in result.records])
            headers = {RETURNED: str(len(result.records))}
            if result.next_token:
                headers[NEXT_PAGE] = result.next_token
            if result.total is not None:
                headers[TOTAL] = str(result.total)
            headers[explain.QUERY_PLAN] = explain.plan_header(query, the_plan)
            self.cache.put_list(resource.entity, entry, snapshot, json.dumps(headers) + "\n" + body)
            state = self._miss()
        if query.explain:
            return self._explained(resource, query, the_plan, digest, headers, state)
        plan_header = headers.get(explain.QUERY_PLAN)  # a page cached before it had none
        if plan_header:
            headers[explain.QUERY_PLAN] = explain.with_request(
                plan_header, self.ctx.calls_made, state
            )
        return Answer(body, {**headers, CACHE: state})

    def _explained(
        self,
        resource: Resource,
        query: ListQuery,
        the_plan: Plan | None,
        digest: str,
        headers: dict[str, str],
        state: str,
    ) -> Answer:
        """The explain document of the page just served (from Autotask or the cache)."""
        the_plan = the_plan or plan(resource, query, self.ctx)
        position = None
        if query.next_page:
            position = self.tokens.decode(query.next_page, instance=self.instance.id, query=digest)
        calls = self.ctx.calls_made
        document = explain.document(
            resource,
            query,
            the_plan,
            lambda field, op, value: resource.translate(field, op, value, self.ctx),
            position=position,
            returned=int(headers.get(RETURNED, "0")),
            next_page=headers.get(NEXT_PAGE),
            calls=calls,
            cache=state,
        )
        plan_header = explain.with_request(explain.plan_header(query, the_plan), calls, state)
        return Answer(
            json.dumps(document, separators=(",", ":"), default=str),
            {explain.QUERY_PLAN: plan_header, CACHE: state},
        )

    def _child_query(
        self, parent_resource: Resource, parent: tuple[str, int], query: ListQuery
    ) -> tuple[Resource, ListQuery]:
        child_name, parent_id = parent
        relation = parent_resource.child(child_name)
        if relation is None:
            raise NotFoundError(f"{parent_resource.name} has no child resource '{child_name}'")
        resource_name, foreign_key = relation
        scoped = ListQuery(
            **{
                **query.__dict__,
                "extra_filter": (
                    *query.extra_filter,
                    filters.condition(filters.EQ, foreign_key, parent_id),
                ),
            }
        )
        return self.resource(resource_name), scoped

    def get(
        self, name: str, record_id: int, fields: list[str] | None = None, *, raw: bool = False
    ) -> Answer:
        resource = self.resource(name)
        resource.check("get", self.ctx)
        for path in fields or []:
            resource.check_field(path, self.ctx)
        renderer = Renderer(strip=self.strip_nulls, fields=fields)
        shape = record_shape(resource, fields, self.strip_nulls, raw)
        cached = self.cache.get_record(resource.entity, record_id, shape)
        if cached is not None:
            return Answer(cached, {CACHE: "hit"})
        snapshot = self.cache.snapshot(resource.entity)
        vendor = self._fetch(resource, record_id)
        if vendor is None:
            raise NotFoundError(f"No {resource.name} record with id {record_id}")
        record = resource.to_record(vendor, self.ctx)
        rendered = renderer.record(record)
        body = renderer.dumps({**rendered, RAW: vendor} if raw else rendered)
        self.cache.put_record(resource.entity, record_id, shape, body, snapshot)
        return Answer(body, {CACHE: self._miss()})

    def _fetch(self, resource: Resource, record_id: int) -> dict[str, Any] | None:
        """The vendor record, or None when missing or outside the resource (a company that is
        not a lead is no `leads` record)."""
        vendor = self.client.get(resource.entity, record_id)
        return vendor if vendor is not None and resource.admits(vendor) else None

    def _miss(self) -> str:
        return "miss" if self.cache.enabled else "off"

    # -- writes -------------------------------------------------------------------------
    def create(
        self, name: str, body: Any, *, idempotency_key: str | None = None, raw: bytes = b""
    ) -> Answer:
        """Create and read back; with a key, at most once per key (see creates.py)."""
        return creates.create(self, name, body, idempotency_key, raw)

    def update(self, name: str, record_id: int, body: Any) -> Answer:
        resource = self.resource(name)
        resource.check("update", self.ctx)
        if isinstance(body, dict) and not body:
            return self.get(name, record_id)  # nothing to change: the record as it is, no write
        vendor = resource.to_vendor(body, self.ctx, partial=True)
        parent_field = resource.parent_field()
        parent_id = vendor.get(parent_field) if parent_field else None
        if (parent_field and parent_id is None) or resource.fixed_filter:  # parent or lead check
            existing = self._existing(resource, record_id)
            parent_id = existing.get(parent_field) if parent_field else None
        vendor["id"] = record_id
        try:
            updated = self.client.update(resource.entity, vendor, parent_id=parent_id)
        except ProviderValidationError:
            self._existing(resource, record_id)  # a missing record is a 404, not Autotask's 500
            raise
        finally:
            self.cache.invalidate(resource.entity, record_id)
        return self._record_answer(resource, updated)

    def delete(self, name: str, record_id: int) -> Answer:
        resource = self.resource(name)
        resource.check("delete", self.ctx)
        parent_field = resource.parent_field()
        parent_id = None
        if parent_field or resource.fixed_filter:
            existing = self._existing(resource, record_id)
            parent_id = existing.get(parent_field) if parent_field else None
        try:
            self.client.delete(resource.entity, record_id, parent_id=parent_id)
        except ProviderValidationError:
            self._existing(resource, record_id)
            raise
        finally:
            self.cache.invalidate(resource.entity, record_id)
        return Answer(render.dumps({"id": record_id, "deleted": True}))

    def _existing(self, resource: Resource, record_id: int) -> dict[str, Any]:
        vendor = self._fetch(resource, record_id)
        if vendor is None:
            raise NotFoundError(f"No {resource.name} record with id {record_id}")
        return vendor

    def _record_answer(self, resource: Resource, vendor: dict[str, Any]) -> Answer:
        renderer = Renderer(strip=self.strip_nulls, fields=None)
        return Answer(renderer.dumps(renderer.record(resource.to_record(vendor, self.ctx))))
