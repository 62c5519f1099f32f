"""Queries: every matching row across pages, one page, or a count.

`query` holds one page in memory at a time. For N rows it makes ceil(N/500) calls (one for
none) when Autotask sends `pageDetails.nextPageUrl`; without it a full last page costs one more
call to learn that nothing follows (see paging.read_page). Filters are Autotask filter items
(see connector.autotask.filters); an empty filter means every row, which Autotask spells `id gte 0`
(a literal `[]` would return nothing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from connector.autotask.calls import Caller
from connector.autotask.models import Page
from connector.autotask.paging import (
    MAX_RECORDS,
    IdCursorPaginator,
    LoopGuard,
    NextPageUrlPaginator,
    PageRequest,
    read_page,
)
from connector.errors import BadRequestError, ProviderFatalError

ALL_ROWS: list[dict[str, Any]] = [{"op": "gte", "field": "id", "value": 0}]

Filter = Sequence[Mapping[str, Any]] | Mapping[str, Any] | None


def normalize_filter(filter: Filter) -> list[dict[str, Any]]:
    """A list of filter items; one item alone is wrapped, None or [] selects every row."""
    if filter is None:
        return list(ALL_ROWS)
    if isinstance(filter, Mapping):
        return [dict(filter)]
    items = [dict(item) for item in filter]
    return items or list(ALL_ROWS)


def query_body(filter: Filter, fields: Sequence[str] | None, max_records: int) -> dict[str, Any]:
    if not 1 <= max_records <= MAX_RECORDS:
        raise BadRequestError(f"max_records must be between 1 and {MAX_RECORDS}")
    body: dict[str, Any] = {"filter": normalize_filter(filter), "MaxRecords": max_records}
    if fields:
        # the id is the paging cursor, so it always comes back
        wanted = ["id", *(f for f in fields if f.lower() != "id")]
        body["IncludeFields"] = list(dict.fromkeys(wanted))
    return body


def query_page(
    caller: Caller,
    entity: str,
    filter: Filter,
    *,
    fields: Sequence[str] | None = None,
    max_records: int = MAX_RECORDS,
) -> Page:
    """One upstream call: the first page of rows matching `filter`."""
    body = query_body(filter, fields, max_records)
    answer = caller.call("query", "POST", f"{entity}/query", endpoint=entity, body=body)
    return read_page(answer, max_records, origin=caller.zone.url)


def query(
    caller: Caller, entity: str, filter: Filter, fields: Sequence[str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every row matching `filter`, in id order, each once, fetched a page at a time."""
    body = query_body(filter, fields, MAX_RECORDS)
    paginator = NextPageUrlPaginator(IdCursorPaginator(body))
    guard = LoopGuard()
    request: PageRequest | None = PageRequest(None, body)
    while request is not None:
        guard.check(request)
        answer = caller.call(
            "query", "POST", f"{entity}/query", endpoint=entity, body=request.body, url=request.url
        )
        page = read_page(answer, MAX_RECORDS, origin=caller.zone.url)
        yield from guard.admit(page.items)
        request = paginator.next_request(request, page)
        del answer, page  # hold one page at a time while the caller consumes rows


def count(caller: Caller, entity: str, filter: Filter) -> int:
    """How many rows match `filter` (one call)."""
    answer = caller.call(
        "count",
        "POST",
        f"{entity}/query/count",
        endpoint=entity,
        body={"filter": normalize_filter(filter)},
    )
    if isinstance(answer, dict):
        for key, value in answer.items():
            if str(key).lower() == "querycount" and value is not None:
                return int(value)
    raise ProviderFatalError("Autotask's count answer has no queryCount")
