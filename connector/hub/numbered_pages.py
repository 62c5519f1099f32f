"""`page=N` without `nextPage`: Cloud Elements clients page by number; Autotask pages by id.

Page N is where following `Elements-Next-Page-Token` N-1 times from page 1 leads. Every page
served for a `page` number remembers the next page's position in Redis (one hash per instance
and query: field = page number, value = the signed token), so a client that asks its pages in
order pays one Autotask call a page, as with `nextPage`. A page with no remembered position is
reached from the nearest remembered page before it: by reading ids only (500 a call) when
Autotask evaluates the whole `where`, page by page when a part of it is evaluated here, and by
offset alone for a listing sorted in memory. Walking is bounded (MAX_WALK_ROWS) so that one
request cannot spend a tenant's hourly budget.
"""

from __future__ import annotations

from collections.abc import Callable

import redis

from connector.autotask import AutotaskClient
from connector.errors import BadRequestError
from connector.hub.id_pages import UPSTREAM_PAGE, IdCursorPages, with_cursor
from connector.hub.plan import ListQuery, Plan, Residual
from connector.hub.sorted_pages import SortedPages
from connector.hub.tokens import PagePosition, PageTokens
from connector.storage.keys import Keys

MAX_PAGE = 100_000
# 100 id-only calls at most to reach a page nobody asked for before (1% of the hourly budget)
MAX_WALK_ROWS = 50_000
Remember = Callable[[int, PagePosition], None]


class PastTheEnd(Exception):
    """The page asked for lies after the last row: its answer is empty, with no token."""


def page_number_of(raw: str | None) -> int | None:
    """The `page` parameter: None when absent, else a whole number from 1 to MAX_PAGE."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise BadRequestError(f"page must be a whole number from 1 to {MAX_PAGE}, got {raw!r}")
    return int(text)


class PageCursors:
    """The remembered position of each numbered page of one query, in one Redis hash."""

    def __init__(
        self,
        redis_client: redis.Redis,
        keys: Keys,
        tokens: PageTokens,
        *,
        instance_id: int,
        digest: str,
        ttl: int,
    ) -> None:
        self.redis = redis_client
        self.key = keys.page_cursors(instance_id, digest)
        self.tokens = tokens
        self.instance_id = instance_id
        self.digest = digest
        self.ttl = ttl

    def nearest(self, page: int) -> tuple[int, PagePosition | None]:
        """The remembered page closest before or at `page`, and its position (page 1: None)."""
        known = [int(k) for k in self.redis.hkeys(self.key) if int(k) <= page]
        if not known:
            return 1, None
        best = max(known)
        token = self.redis.hget(self.key, str(best))
        if token is None:  # expired between the two reads
            return 1, None
        token = token.decode() if isinstance(token, bytes) else token
        return best, self.tokens.decode(token, instance=self.instance_id, query=self.digest)

    def remember(self, page: int, token: str) -> None:
        # KEYS: the query's cursor hash; one field per page, the whole hash expires together
        with self.redis.pipeline() as pipe:
            pipe.hset(self.key, str(page), token)
            pipe.expire(self.key, self.ttl)
            pipe.execute()

    def remember_position(self, page: int, position: PagePosition) -> None:
        self.remember(page, self.tokens.encode(position))


def position_of_page(
    page: int,
    query: ListQuery,
    the_plan: Plan,
    pages: IdCursorPages | SortedPages,
    cursors: PageCursors,
) -> PagePosition | None:
    """Where page `page` starts (None: at the first row); PastTheEnd when it has no rows."""
    known, position = cursors.nearest(page)
    if known == page:
        return position
    ahead = page - known

    def remember(offset: int, reached: PagePosition) -> None:
        cursors.remember_position(known + offset, reached)

    if isinstance(pages, SortedPages):
        return _sorted_skip(pages, the_plan, query, position, ahead, remember)
    if ahead * query.page_size > MAX_WALK_ROWS:
        raise BadRequestError(
            f"page {page} lies {ahead * query.page_size} rows past the last page this listing "
            f"has served; reaching it would read more than {MAX_WALK_ROWS} rows from Autotask. "
            "Ask for the pages in order, or follow Elements-Next-Page-Token with nextPage"
        )
    if Residual(the_plan, pages.resource).empty:
        return _skip_ids(pages, the_plan, query, position, ahead, remember)
    return _walk_pages(pages, the_plan, query, position, ahead, remember)


def _skip_ids(
    pages: IdCursorPages,
    the_plan: Plan,
    query: ListQuery,
    position: PagePosition | None,
    ahead: int,
    remember: Remember,
) -> PagePosition:
    """Read ids only, 500 a call, past `ahead` pages of rows; remember each page crossed."""
    after = position.after_id if position else None
    remaining = ahead * query.page_size
    skipped = 0
    client: AutotaskClient = pages.client
    while remaining > 0:
        chunk = client.query_page(
            pages.resource.entity,
            with_cursor(the_plan, after),
            fields=["id"],
            max_records=min(remaining, UPSTREAM_PAGE),
        )
        for item in chunk.items:
            after = int(item["id"])
            skipped += 1
            remaining -= 1
            if skipped % query.page_size == 0:
                reached = PagePosition(pages.instance_id, pages.digest, after_id=after)
                remember(skipped // query.page_size, reached)
        if remaining > 0 and (not chunk.items or not chunk.has_more):
            raise PastTheEnd
    return PagePosition(pages.instance_id, pages.digest, after_id=after)


def _walk_pages(
    pages: IdCursorPages,
    the_plan: Plan,
    query: ListQuery,
    position: PagePosition | None,
    ahead: int,
    remember: Remember,
) -> PagePosition:
    """Serve `ahead` pages without answering them (a local filter decides what a page holds)."""
    for offset in range(1, ahead + 1):
        result = pages.page(the_plan, query, position)
        if not result.next_token:
            raise PastTheEnd
        position = pages.tokens.decode(
            result.next_token, instance=pages.instance_id, query=pages.digest
        )
        remember(offset, position)
    if position is None:  # ahead was 0: callers ask for at least one page ahead
        raise PastTheEnd
    return position


def _sorted_skip(
    pages: SortedPages,
    the_plan: Plan,
    query: ListQuery,
    position: PagePosition | None,
    ahead: int,
    remember: Remember,
) -> PagePosition:
    """A sorted result is a list in Redis: page N starts N-2 pages into what follows page 1."""
    if position is None:  # from page 1: sort once (what page 1 itself costs)
        first = pages.page(the_plan, query, None)
        if not first.next_token:
            raise PastTheEnd
        position = pages.tokens.decode(
            first.next_token, instance=pages.instance_id, query=pages.digest
        )
        remember(1, position)
        ahead -= 1
    offset = (position.offset or 0) + ahead * query.page_size
    return PagePosition(pages.instance_id, pages.digest, offset=offset, sort_key=position.sort_key)
