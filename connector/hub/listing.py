"""Listing a resource: plan the query, then serve the page by id cursor or sorted in memory.

The parts: `plan` (what is pushed down, what is evaluated locally), `id_pages` (the native
id-cursor pages), `sorted_pages` (orderBy on another field). This module picks one per query
and answers totals. Names used by callers are re-exported here.
"""

from __future__ import annotations

from typing import Any

import redis

from connector import ceql
from connector.autotask import AutotaskClient
from connector.hub.id_pages import IdCursorPages
from connector.hub.plan import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ListQuery,
    ListResult,
    Plan,
    page_size_of,
    plan,
)
from connector.hub.resources import Resource
from connector.hub.sorted_pages import SORTED_RESULT_TTL, SortedPages, matching
from connector.hub.tokens import PageTokens
from connector.storage.keys import Keys

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "ListQuery",
    "ListResult",
    "Lister",
    "Plan",
    "page_size_of",
    "plan",
]


class Lister:
    def __init__(
        self,
        resource: Resource,
        client: AutotaskClient,
        ctx: Any,
        *,
        tokens: PageTokens,
        instance_id: int,
        redis_client: redis.Redis,
        keys: Keys,
        digest: str,
        sorted_ttl: int = SORTED_RESULT_TTL,
    ) -> None:
        self.resource = resource
        self.client = client
        self.ctx = ctx
        self.tokens = tokens
        self.instance_id = instance_id
        self.by_id = IdCursorPages(resource, client, ctx, tokens, instance_id, digest)
        self.by_sort = SortedPages(
            resource, client, ctx, tokens, instance_id, digest, redis_client, keys, sorted_ttl
        )
        self.digest = digest

    def run(self, query: ListQuery, the_plan: Plan | None = None) -> ListResult:
        the_plan = the_plan or plan(self.resource, query, self.ctx)
        position = (
            self.tokens.decode(query.next_page, instance=self.instance_id, query=self.digest)
            if query.next_page
            else None
        )
        pages = self.by_id if ceql.is_native_order(the_plan.order) else self.by_sort
        result = pages.page(the_plan, query, position)
        if query.include_total and result.total is None:
            result.total = self._total(the_plan)  # asked on any page: one Autotask count
        return result

    def _total(self, the_plan: Plan) -> int:
        if the_plan.residual is None:
            return self.client.count(self.resource.entity, the_plan.upstream_filter)
        limit = ceql.MAX_LOCAL_SORT_ROWS
        return sum(1 for _ in matching(self.resource, self.client, self.ctx, the_plan, limit))
