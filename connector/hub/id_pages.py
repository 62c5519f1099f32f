"""Id-cursor pages: the hub's native paging, one upstream query per page when all is pushed.

The next page's token carries the last id read, and the next query asks for `id > last id`.
With a residual, rows that fail it are skipped and further upstream pages (500 rows each) fill
the hub page, up to MAX_UPSTREAM_PAGES_PER_PAGE; the cursor stays exact either way.
"""

from __future__ import annotations

from typing import Any

from connector.autotask import AutotaskClient, filters
from connector.hub.plan import ListQuery, ListResult, Plan, Residual
from connector.hub.resources import Resource
from connector.hub.tokens import PagePosition, PageTokens

UPSTREAM_PAGE = 500
# A selective local filter could otherwise read a whole table for one hub page: past this many
# upstream pages, answer the rows found so far with a token to continue.
MAX_UPSTREAM_PAGES_PER_PAGE = 10


class IdCursorPages:
    def __init__(
        self,
        resource: Resource,
        client: AutotaskClient,
        ctx: Any,
        tokens: PageTokens,
        instance_id: int,
        digest: str,
    ) -> None:
        self.resource = resource
        self.client = client
        self.ctx = ctx
        self.tokens = tokens
        self.instance_id = instance_id
        self.digest = digest

    def page(self, the_plan: Plan, query: ListQuery, position: PagePosition | None) -> ListResult:
        residual = Residual(the_plan, self.resource)
        after = position.after_id if position else None
        records: list[dict[str, Any]] = []
        more = True
        calls = 0
        while len(records) < query.page_size and more and calls < MAX_UPSTREAM_PAGES_PER_PAGE:
            calls += 1
            if residual.empty:
                # one row more than the page tells whether another page exists, so a last
                # page that is exactly full carries no token (Autotask's nextPageUrl is only
                # sure for full 500-row pages)
                wanted = min(query.page_size - len(records) + 1, UPSTREAM_PAGE)
            else:
                wanted = UPSTREAM_PAGE
            page = self.client.query_page(
                self.resource.entity,
                with_cursor(the_plan, after),
                fields=the_plan.include_fields,
                max_records=wanted,
            )
            more = page.has_more
            for index, item in enumerate(page.items):
                record = self.resource.to_record(item, self.ctx)
                after = int(item["id"])
                if residual.keeps(record):
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


def with_cursor(the_plan: Plan, after: int | None) -> list[dict[str, Any]]:
    if after is not None:
        return [*the_plan.filter, filters.condition(filters.GT, "id", after)]
    return the_plan.upstream_filter
