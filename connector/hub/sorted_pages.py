"""Pages sorted in memory: `orderBy` on a field other than id.

The first page reads the whole matching set (up to MAX_LOCAL_SORT_ROWS), sorts it, and keeps
the sorted ids of the rest in Redis, within the instance's and the organization's byte budgets
(sorted_budget.py); each later page costs one `id in (...)` query.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import redis

from connector import ceql
from connector.autotask import AutotaskClient, filters
from connector.errors import BadRequestError
from connector.hub import sorted_budget
from connector.hub.plan import ListQuery, ListResult, Plan, Residual
from connector.hub.resources import Resource
from connector.hub.tokens import PagePosition, PageTokens
from connector.storage.keys import Keys

SORTED_RESULT_TTL = 900


def matching(
    resource: Resource, client: AutotaskClient, ctx: Any, the_plan: Plan, limit: int
) -> Iterator[dict[str, Any]]:
    """Every normalized record the plan matches, refusing past `limit` of them."""
    residual = Residual(the_plan, resource)
    count = 0
    for item in client.query(
        resource.entity, the_plan.upstream_filter, fields=the_plan.include_fields
    ):
        record = resource.to_record(item, ctx)
        if residual.keeps(record):
            count += 1
            if count > limit:
                raise BadRequestError(
                    f"orderBy on a field other than id sorts in memory, up to {limit} "
                    "matching rows; narrow the where clause or order by id"
                )
            yield record


class SortedPages:
    def __init__(
        self,
        resource: Resource,
        client: AutotaskClient,
        ctx: Any,
        tokens: PageTokens,
        instance_id: int,
        digest: str,
        redis_client: redis.Redis,
        keys: Keys,
        ttl: int = SORTED_RESULT_TTL,
        organization_id: int | None = None,
    ) -> None:
        self.organization_id = organization_id
        self.resource = resource
        self.client = client
        self.ctx = ctx
        self.tokens = tokens
        self.instance_id = instance_id
        self.digest = digest
        self.redis = redis_client
        self.keys = keys
        self.ttl = max(ttl, SORTED_RESULT_TTL)  # outlives cached first pages

    def page(self, the_plan: Plan, query: ListQuery, position: PagePosition | None) -> ListResult:
        if position is not None:
            return self._later_page(the_plan, query, position)
        rows = ceql.sort_records(
            list(
                matching(self.resource, self.client, self.ctx, the_plan, ceql.MAX_LOCAL_SORT_ROWS)
            ),
            the_plan.order,
            self.resource.get,
        )
        first, rest = rows[: query.page_size], rows[query.page_size :]
        token = None
        if rest:
            result_id = secrets.token_hex(8)
            key = self.keys.sorted_result(self.instance_id, result_id)
            ids = [int(self.resource.get(r, "id")) for r in rest]
            sorted_budget.put(
                self.redis, self.keys, key, ids, self.ttl, self.instance_id, self.organization_id
            )
            token = self.tokens.encode(
                PagePosition(self.instance_id, self.digest, offset=0, sort_key=result_id)
            )
        # the whole sorted set is known here: its size is the total, at no extra call
        return ListResult(first, token, len(rows) if query.include_total else None)

    def _later_page(self, the_plan: Plan, query: ListQuery, position: PagePosition) -> ListResult:
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
