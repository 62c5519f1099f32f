"""Listing a resource: plan the query, then serve the page by id cursor or sorted in memory.

The parts: `plan` (what is pushed down, what is evaluated locally), `id_pages` (the native
id-cursor pages), `sorted_pages` (orderBy on another field), `numbered_pages` (where a `page`
number starts). This module picks one per query and answers totals. Names used by callers
are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import redis

from connector import ceql
from connector.autotask import AutotaskClient
from connector.hub.id_pages import IdCursorPages
from connector.hub.numbered_pages import PageCursors, PastTheEnd, page_number_of, position_of_page
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
    "page_number_of",
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
        organization_id: int | None = None,
    ) -> None:
        self.resource = resource
        self.client = client
        self.ctx = ctx
        self.tokens = tokens
        self.instance_id = instance_id
        self.by_id = IdCursorPages(resource, client, ctx, tokens, instance_id, digest)
        self.by_sort = SortedPages(
            resource,
            client,
            ctx,
            tokens,
            instance_id,
            digest,
            redis_client,
            keys,
            sorted_ttl,
            organization_id=organization_id,
        )
        self.digest = digest
        self.redis = redis_client
        self.keys = keys

    def run(self, query: ListQuery, the_plan: Plan | None = None) -> ListResult:
        the_plan = the_plan or plan(self.resource, query, self.ctx)
        position = (
            self.tokens.decode(query.next_page, instance=self.instance_id, query=self.digest)
            if query.next_page
            else None
        )
        pages = self.by_id if ceql.is_native_order(the_plan.order) else self.by_sort
        try:
            if position is None and query.page is not None and query.page > 1:
                position = position_of_page(query.page, query, the_plan, pages, self._cursors())
            result = pages.page(the_plan, query, position)
        except PastTheEnd:
            result = ListResult([], None)
        self.remember_next(query, result.next_token)
        if query.include_total and result.total is None:
            result.total = self._total(the_plan)  # asked on any page: one Autotask count
        return result

    def remember_next(self, query: ListQuery, token: str | None) -> None:
        """After page N (a `page` number was sent), where page N+1 starts."""
        if query.page is not None and token:
            self._cursors().remember(query.page + 1, token)

    def _cursors(self) -> PageCursors:
        of = page_cursors(self.redis, self.keys, self.tokens, self.instance_id)
        return of(self.digest, self.by_sort.ttl)

    def _total(self, the_plan: Plan) -> int:
        if the_plan.residual is None:
            return self.client.count(self.resource.entity, the_plan.upstream_filter)
        limit = ceql.MAX_LOCAL_SORT_ROWS
        return sum(1 for _ in matching(self.resource, self.client, self.ctx, the_plan, limit))


def page_cursors(
    redis_client: redis.Redis, keys: Keys, tokens: PageTokens, instance_id: int
) -> Callable[[str, int], PageCursors]:
    """Where each numbered page of a listing (by its digest) starts, kept as long as a sorted
    result (so its pages stay reachable); needs no Autotask client, so a cache hit can
    remember them too."""

    def of(digest: str, sorted_ttl: int) -> PageCursors:
        ttl = max(sorted_ttl, SORTED_RESULT_TTL)
        return PageCursors(
            redis_client, keys, tokens, instance_id=instance_id, digest=digest, ttl=ttl
        )

    return of
