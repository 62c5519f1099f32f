"""Listing a resource: CEQL pushed down, id-cursor paging, residual filtering, local sorting.

One hub page costs one upstream query when the whole `where` is pushed down: the next page's
token carries the last id, and the next query asks for `id > last id`. A predicate Autotask
cannot evaluate is applied to the rows that come back; pages are then filled from further
upstream pages (500 rows each) and the cursor stays exact. `orderBy` other than `id` sorts the
whole matching set in memory, up to MAX_LOCAL_SORT_ROWS, and keeps the sorted ids in Redis so
later pages cost one `id in (...)` query each.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

from connector import ceql
from connector.autotask import AutotaskClient, filters
from connector.errors import BadRequestError
from connector.hub.resources import Resource
from connector.hub.tokens import PagePosition, PageTokens
from connector.storage.keys import Keys

DEFAULT_PAGE_SIZE = 200
MAX_PAGE_SIZE = 500
UPSTREAM_PAGE = 500
# A selective local filter could otherwise read a whole table for one hub page: past this many
# upstream pages, answer the rows found so far with a token to continue.
MAX_UPSTREAM_PAGES_PER_PAGE = 10
SORTED_RESULT_TTL = 900
ALL_ROWS = filters.condition(filters.GTE, "id", 0)


@dataclass(frozen=True)
class ListQuery:
    where: str | None = None
    order_by: str | None = None
    fields: list[str] | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    next_page: str | None = None
    include_total: bool = False
    extra_filter: tuple[dict[str, Any], ...] = ()  # e.g. the parent of a child listing


@dataclass
class ListResult:
    records: list[dict[str, Any]]
    next_token: str | None
    total: int | None = None


@dataclass(frozen=True)
class Plan:
    """A query made ready: the pushed filter, the local residual, what to fetch."""

    filter: list[dict[str, Any]]
    residual: ceql.Expr | None
    include_fields: list[str] | None
    order: list[tuple[str, bool]]


def plan(resource: Resource, query: ListQuery, ctx: Any) -> Plan:
    expr = ceql.parse(query.where)
    pushed = ceql.pushdown(expr, lambda field, op, value: resource.translate(field, op, value, ctx))
    order = ceql.parse_order_by(query.order_by) if query.order_by else []
    include = None
    if query.fields is not None:
        needed = set(query.fields) | {"id"} | {name for name, _ in order}
        if pushed.residual is not None:
            needed |= set(ceql.referenced_fields(pushed.residual))
        include = resource.vendor_fields(sorted(needed))
    upstream = [*resource.fixed_filter, *query.extra_filter, *pushed.filter]
    return Plan(upstream, pushed.residual, include, order)


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
        self.sorted_ttl = max(sorted_ttl, SORTED_RESULT_TTL)  # outlives cached first pages
        self.resource = resource
        self.client = client
        self.ctx = ctx
        self.tokens = tokens
        self.instance_id = instance_id
        self.redis = redis_client
        self.keys = keys
        self.digest = digest

    def run(self, query: ListQuery) -> ListResult:
        the_plan = plan(self.resource, query, self.ctx)
        position = (
            self.tokens.decode(query.next_page, instance=self.instance_id, query=self.digest)
            if query.next_page
            else None
        )
        if not ceql.is_native_order(the_plan.order):
            result = self._sorted(the_plan, query, position)
        else:
            result = self._by_id(the_plan, query, position)
        if query.include_total and result.total is None:
            result.total = self._total(the_plan)  # asked on any page: one Autotask count
        return result

    # -- id-cursor pages ---------------------------------------------------------------
    def _by_id(self, the_plan: Plan, query: ListQuery, position: PagePosition | None) -> ListResult:
        after = position.after_id if position else None
        records: list[dict[str, Any]] = []
        more = True
        calls = 0
        while len(records) < query.page_size and more and calls < MAX_UPSTREAM_PAGES_PER_PAGE:
            calls += 1
            if the_plan.residual is None:
                # one row more than the page tells whether another page exists, so a last
                # page that is exactly full carries no token (Autotask's nextPageUrl is only
                # sure for full 500-row pages)
                wanted = min(query.page_size - len(records) + 1, UPSTREAM_PAGE)
            else:
                wanted = UPSTREAM_PAGE
            page = self.client.query_page(
                self.resource.entity,
                self._with_cursor(the_plan.filter, after),
                fields=the_plan.include_fields,
                max_records=wanted,
            )
            more = page.has_more
            for index, item in enumerate(page.items):
                record = self.resource.to_record(item, self.ctx)
                after = int(item["id"])
                if self._keeps(the_plan, record):
                    records.append(record)
                    if len(records) == query.page_size:
                        more = more or index < len(page.items) - 1
                        break
            if not page.items:
                more = False
        token = None
        if more and after is not None:
            token = self.tokens.encode(PagePosition(self.instance_id, self.digest, after_id=after))
        return ListResult(records, token)

    @staticmethod
    def _with_cursor(upstream: list[dict[str, Any]], after: int | None) -> list[dict[str, Any]]:
        if after is not None:
            return [*upstream, filters.condition(filters.GT, "id", after)]
        return upstream or [ALL_ROWS]

    def _keeps(self, the_plan: Plan, record: dict[str, Any]) -> bool:
        if the_plan.residual is None:
            return True
        return ceql.evaluate(the_plan.residual, record, self.resource.get)

    # -- sorted in memory ----------------------------------------------------------------
    def _matching(self, the_plan: Plan, limit: int) -> Iterator[dict[str, Any]]:
        count = 0
        for item in self.client.query(
            self.resource.entity, the_plan.filter or [ALL_ROWS], fields=the_plan.include_fields
        ):
            record = self.resource.to_record(item, self.ctx)
            if self._keeps(the_plan, record):
                count += 1
                if count > limit:
                    raise BadRequestError(
                        f"orderBy on a field other than id sorts in memory, up to {limit} "
                        "matching rows; narrow the where clause or order by id"
                    )
                yield record

    def _sorted(
        self, the_plan: Plan, query: ListQuery, position: PagePosition | None
    ) -> ListResult:
        if position is not None:
            return self._sorted_page(the_plan, query, position)
        rows = ceql.sort_records(
            list(self._matching(the_plan, ceql.MAX_LOCAL_SORT_ROWS)),
            the_plan.order,
            self.resource.get,
        )
        first, rest = rows[: query.page_size], rows[query.page_size :]
        token = None
        if rest:
            result_id = secrets.token_hex(8)
            key = self.keys.sorted_result(self.instance_id, result_id)
            with self.redis.pipeline() as pipe:
                pipe.rpush(key, *[int(self.resource.get(r, "id")) for r in rest])
                pipe.expire(key, self.sorted_ttl)
                pipe.execute()
            token = self.tokens.encode(
                PagePosition(self.instance_id, self.digest, offset=0, sort_key=result_id)
            )
        # the whole sorted set is known here: its size is the total, at no extra call
        return ListResult(first, token, len(rows) if query.include_total else None)

    def _sorted_page(self, the_plan: Plan, query: ListQuery, position: PagePosition) -> ListResult:
        key = self.keys.sorted_result(self.instance_id, position.sort_key or "")
        offset = position.offset or 0
        ids = [int(i) for i in self.redis.lrange(key, offset, offset + query.page_size - 1)]
        if not ids and not self.redis.exists(key):
            raise BadRequestError("This sorted result has expired; ask for the first page again")
        rows: dict[int, dict[str, Any]] = {}
        if ids:
            page = self.client.query_page(
                self.resource.entity,
                [filters.condition(filters.IN, "id", ids)],
                fields=the_plan.include_fields,
                max_records=len(ids),
            )
            rows = {int(item["id"]): self.resource.to_record(item, self.ctx) for item in page.items}
        records = [rows[i] for i in ids if i in rows]  # rows deleted since are skipped
        token = None
        remaining = self.redis.llen(key)
        total = query.page_size + remaining if query.include_total else None  # first page + rest
        if offset + len(ids) < remaining:
            token = self.tokens.encode(
                PagePosition(
                    self.instance_id,
                    self.digest,
                    offset=offset + len(ids),
                    sort_key=position.sort_key,
                )
            )
        return ListResult(records, token, total)

    # -- totals ---------------------------------------------------------------------------
    def _total(self, the_plan: Plan) -> int:
        if the_plan.residual is None:
            return self.client.count(self.resource.entity, the_plan.filter or [ALL_ROWS])
        return sum(1 for _ in self._matching(the_plan, ceql.MAX_LOCAL_SORT_ROWS))


def page_size_of(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise BadRequestError(
            f"pageSize must be a whole number from 1 to {MAX_PAGE_SIZE}"
        ) from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequestError(f"pageSize must be from 1 to {MAX_PAGE_SIZE}")
    return size
