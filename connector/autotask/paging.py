"""Reading a query answer as a Page, and choosing the request for the next page.

Autotask answers at most 500 rows per call, in ascending id order, with a `nextPageUrl`
(POSTed again with the same body) when more rows match. Where the answer gives no usable
nextPageUrl, the `id > last id` cursor is the fallback the docs describe. A `LoopGuard` stops
paging when Autotask repeats a token or hands back rows already seen.
"""

from __future__ import annotations

import copy
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from connector.autotask.errors import PagingLoopError
from connector.autotask.models import Page, row_id
from connector.errors import ProviderFatalError

log = logging.getLogger("connector.autotask")

MAX_RECORDS = 500  # Autotask's largest and default page size
_ABSENT = object()


@dataclass(frozen=True)
class PageRequest:
    """One query call: POST `url` (None: the entity's query path in the zone) with `body`."""

    url: str | None
    body: dict[str, Any]


def read_page(answer: Any, max_records: int, *, origin: str) -> Page:
    """A Page from a query answer. A full page has more only if Autotask says so: with the
    default size a null nextPageUrl ends the set; with another size, or with no pageDetails at
    all, a full page may be followed by more (some zones omit the URL for small pages)."""
    if not isinstance(answer, dict):
        raise ProviderFatalError("Autotask's query answer is not a JSON object")
    lowered = {str(k).lower(): v for k, v in answer.items()}
    items = lowered.get("items")
    if not isinstance(items, list):
        raise ProviderFatalError("Autotask's query answer has no items list")
    details = lowered.get("pagedetails")
    next_url: Any = _ABSENT
    if isinstance(details, dict):
        next_url = {str(k).lower(): v for k, v in details.items()}.get("nextpageurl", _ABSENT)
    usable = next_url if isinstance(next_url, str) and next_url else None
    if usable and not same_origin(usable, origin):
        # the auth headers must never travel to another host
        log.warning("autotask nextPageUrl points to another host; paging by id instead")
        usable = None
    if len(items) < max_records:
        has_more = False
    elif isinstance(next_url, str) or next_url is _ABSENT:
        has_more = True  # a URL (followed, or replaced by the id cursor), or no word at all
    else:  # a full page and an explicit null
        has_more = max_records != MAX_RECORDS
    return Page(items=items, has_more=has_more, next_page_url=usable if has_more else None)


def same_origin(url: str, origin: str) -> bool:
    a, b = urlsplit(url), urlsplit(origin)
    return (a.scheme.lower(), a.netloc.lower()) == (b.scheme.lower(), b.netloc.lower())


class Paginator(ABC):
    """Chooses the next request from the last request and the page it returned."""

    @abstractmethod
    def next_request(self, request: PageRequest, page: Page) -> PageRequest | None: ...


class IdCursorPaginator(Paginator):
    """`id gt <last id>` added to the query's own filter (an implicit AND at the top level)."""

    def __init__(self, body: dict[str, Any]) -> None:
        self.body = body

    def next_request(self, request: PageRequest, page: Page) -> PageRequest | None:
        if not page.has_more:
            return None
        last_id = page.last_id
        if last_id is None:
            raise ProviderFatalError("Autotask's rows carry no id; paging by id is impossible")
        body = copy.deepcopy(self.body)
        body["filter"] = [*body["filter"], {"op": "gt", "field": "id", "value": last_id}]
        return PageRequest(None, body)


class NextPageUrlPaginator(Paginator):
    """Follows `nextPageUrl` with the body that produced it; the id cursor when there is none."""

    def __init__(self, fallback: IdCursorPaginator) -> None:
        self.fallback = fallback

    def next_request(self, request: PageRequest, page: Page) -> PageRequest | None:
        if not page.has_more:
            return None
        if page.next_page_url:
            return PageRequest(page.next_page_url, request.body)
        return self.fallback.next_request(request, page)


class LoopGuard:
    """Refuses a request seen before, and drops rows whose id is not past the last page's."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._last_id: int | None = None

    def check(self, request: PageRequest) -> None:
        key = hash((request.url, repr(request.body.get("filter"))))
        if key in self._seen:
            raise PagingLoopError("Autotask returned a page token already followed")
        self._seen.add(key)

    def admit(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows not seen before; PagingLoopError when a non-empty page brings none."""
        if self._last_id is None:
            fresh = items
        else:
            fresh = [row for row in items if (row_id(row) or 0) > self._last_id]
            if items and not fresh:
                raise PagingLoopError("Autotask returned a page of rows already read")
        ids = [i for i in (row_id(row) for row in items) if i is not None]
        if ids:
            self._last_id = max(ids) if self._last_id is None else max(self._last_id, *ids)
        return fresh
